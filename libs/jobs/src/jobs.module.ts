import { Global, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import Redis from 'ioredis';
import { AppConfig } from '@botfleet/config';
import { BULLMQ_CLUSTER_CONNECTION, BullConnectionModule } from './bull-connection.module';
import { DEFAULT_JOB_OPTIONS, noticeJobOptions, provisioningJobOptions } from './job-defaults';
import { JobOutbox } from './job-outbox';
import { JobQueue } from './job-queue.service';
import { QueueName } from './queue-names';

/**
 * BullMQ wiring shared by both apps: one Redis connection config, the REDIS_PREFIX as the
 * queue prefix, default job options per queue. The handlers (`@OnJob`) and their runner live in apps/worker.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      imports: [BullConnectionModule],
      inject: [AppConfig, BULLMQ_CLUSTER_CONNECTION],
      useFactory: (c: AppConfig, cluster: Redis | null) => ({
        // On a Redis Cluster, the shared Cluster connection; the hash-tagged prefix keeps each queue's keys in
        // one slot, as BullMQ's scripts need.
        connection: cluster ?? { url: c.REDIS_URL, maxRetriesPerRequest: null, enableReadyCheck: true },
        prefix: `${c.REDIS_PREFIX}:q`,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    BullModule.registerQueue({ name: QueueName.TelegramUpdates }),
    // Attempts and backoff come from the config, so every producer (API and worker) queues with the same ones.
    BullModule.registerQueueAsync({
      name: QueueName.Provisioning,
      inject: [AppConfig],
      useFactory: (c: AppConfig) => ({
        defaultJobOptions: provisioningJobOptions(c.PROVISIONING_ATTEMPTS, c.PROVISIONING_BACKOFF_MS),
      }),
    }),
    // Notices retry for hours (the outbox relay queues through here too, so relayed jobs get the same).
    BullModule.registerQueueAsync({
      name: QueueName.Notifications,
      inject: [AppConfig],
      useFactory: (c: AppConfig) => ({ defaultJobOptions: noticeJobOptions(c.NOTICE_ATTEMPTS, c.NOTICE_BACKOFF_MS) }),
    }),
    BullModule.registerQueue({ name: QueueName.Broadcasts }),
  ],
  providers: [JobQueue, JobOutbox],
  exports: [BullModule, JobQueue, JobOutbox],
})
export class JobsModule {}
