export * from './queue-names';
export * from './job-defaults';
export * from './job-queue.service';
export * from './jobs.module';
export * from './job-outbox';
export * from './on-job.decorator';
export * from './bull-connection.module';
