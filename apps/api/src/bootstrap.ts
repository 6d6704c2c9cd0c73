import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { startDefaultMetrics } from '@botfleet/common';
import { AppConfig, loadConfig } from '@botfleet/config';
import { AppModule } from './app.module';
import { configureFastify, createFastifyAdapter, initFastifyApp } from './http';
import { mountConsole } from './console/console-static';
import { mountQueueDashboard } from './queues/queue-dashboard';
import { createValidationPipe } from './common/validation';

/**
 * Builds the API application on Fastify, initialised and ready to serve (`app.getHttpServer()` answers; also
 * used by tests, in-process or as a child). `listen()` is the only step left.
 */
export async function createApiApp(): Promise<NestFastifyApplication> {
  // The proxy rule must be known when the Fastify instance is made (before the module's AppConfig exists).
  const { trustProxy } = loadConfig();
  // rawBody: the JSON parser in ./http keeps the bytes on req.rawBody (webhook signatures); Nest's own parsers are
  // replaced by that one (bodyParser: false), which also keeps Express' rules: {} for an empty body, 100 KiB.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createFastifyAdapter({ trustProxy }), {
    bufferLogs: true,
    rawBody: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  await configureFastify(app);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const config = app.get(AppConfig);
  await mountQueueDashboard(app, config);
  mountConsole(app.getHttpAdapter().getInstance());
  if (config.swaggerEnabled) {
    const doc = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('botfleet API')
        .setDescription('Multi-tenant Telegram bot hosting for VPN resellers. Money is integer minor units.')
        .setVersion('1')
        .addBearerAuth()
        // The web console's session (apps/api/src/sessions); writes by cookie also need X-CSRF-Token.
        .addCookieAuth('bf_session', { type: 'apiKey' }, 'bf_session')
        .build(),
    );
    SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs-json' });
  }
  startDefaultMetrics('api');
  return initFastifyApp(app);
}
