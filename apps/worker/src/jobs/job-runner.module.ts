import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobHandlerRegistry } from './job-handler-registry';
import { JobRunner } from './job-runner.service';

/**
 * The worker's job runner: finds every `@OnJob` handler at boot (refusing to start when a job has none or
 * two), consumes every queue and keeps the periodic jobs scheduled. Needs the global JobsModule and ConfigModule.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [JobHandlerRegistry, JobRunner],
  exports: [JobRunner],
})
export class JobRunnerModule {}
