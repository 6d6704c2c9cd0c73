import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { startDefaultMetrics } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { AppModule } from './app.module';
import { requireJsonBodies } from './common/json-only';
import { createValidationPipe } from './common/validation';

/** Builds the API application (also used by e2e tests, which start it in-process or as a child). */
export async function createApiApp(): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule, { bufferLogs: true, rawBody: false });
  app.useLogger(app.get(Logger));
  app.use(requireJsonBodies); // before the body parsers, which are added at init()
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const http = app.getHttpAdapter().getInstance() as { disable(s: string): void; set(k: string, v: unknown): void };
  http.disable('x-powered-by');
  const config = app.get(AppConfig);
  // Who the client is (req.ip, which the failed-credential limiter counts by): only the proxies TRUST_PROXY names.
  http.set('trust proxy', config.trustProxy);
  if (config.swaggerEnabled) {
    const doc = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('botfleet API')
        .setDescription('Multi-tenant Telegram bot hosting for VPN resellers. Money is integer minor units.')
        .setVersion('1')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs-json' });
  }
  startDefaultMetrics('api');
  return app;
}
