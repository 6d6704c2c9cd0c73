import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { startDefaultMetrics } from '@botfleet/common';
import { WorkerModule } from './worker.module';

/**
 * The worker application (its small HTTP surface — health, metrics — on Fastify, like the API). Not initialised:
 * `init()` starts hosting bots. Its `init()` also readies Fastify, so `getHttpServer()` answers after it.
 */
export async function createWorkerApp(): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(WorkerModule, new FastifyAdapter({ logger: false }), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  const init = app.init.bind(app);
  app.init = async () => {
    await init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  };
  startDefaultMetrics('worker');
  return app;
}
