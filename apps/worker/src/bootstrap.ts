import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { startDefaultMetrics } from '@botfleet/common';
import { WorkerModule } from './worker.module';

export async function createWorkerApp(): Promise<INestApplication> {
  const app = await NestFactory.create(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  startDefaultMetrics('worker');
  return app;
}
