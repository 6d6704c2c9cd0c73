import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { pinoParams, RedisModule } from '@botfleet/common';
import { AppConfig, ConfigModule } from '@botfleet/config';
import { AuditModule } from '@botfleet/audit';
import { DalModule } from '@botfleet/dal';
import { JobsModule } from '@botfleet/jobs';
import { PlatformDbModule } from '@botfleet/platform';
import { SecretsModule } from '@botfleet/secrets';
import { AuthModule } from './auth/auth.module';
import { AdminApiModule } from './admin/admin.module';
import { BotsApiModule } from './bots/bots.module';
import { BroadcastsApiModule } from './broadcasts/broadcasts-api.module';
import { CatalogApiModule } from './catalog/catalog-api.module';
import { CustomersApiModule } from './customers/customers.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { PaymentsApiModule } from './payments/payments-api.module';
import { TelegramWebhookModule } from './telegram-webhook/telegram-webhook.module';
import { TicketsApiModule } from './tickets/tickets.module';
import { PromoReferralsApiModule } from './growth/promo-api.module';
import { SessionsApiModule } from './sessions/sessions-api.module';

@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (c: AppConfig) => pinoParams(c.LOG_LEVEL, 'api', c.NODE_ENV === 'development'),
    }),
    SecretsModule,
    DalModule,
    PlatformDbModule,
    RedisModule,
    TerminusModule.forRoot({ logger: false }),
    AuditModule,
    AuthModule,
    BotsApiModule,
    AdminApiModule,
    CatalogApiModule,
    JobsModule,
    CustomersApiModule,
    BroadcastsApiModule,
    PaymentsApiModule,
    TelegramWebhookModule,
    TicketsApiModule,
    PromoReferralsApiModule,
    SessionsApiModule,
  ],
  controllers: [HealthController, MetricsController],
  providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
})
/** The request-duration histogram is a Fastify hook (apps/api/src/http), by route pattern. */
export class AppModule {}
