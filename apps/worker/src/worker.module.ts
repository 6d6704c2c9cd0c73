import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { pinoParams, RedisModule } from '@botfleet/common';
import { AppConfig, ConfigModule } from '@botfleet/config';
import { DalModule } from '@botfleet/dal';
import { JobsModule } from '@botfleet/jobs';
import { PlatformDbModule } from '@botfleet/platform';
import { SecretsModule } from '@botfleet/secrets';
import { BotsModule } from './bots/bots.module';
import { BroadcastsWorkerModule } from './broadcasts/broadcasts-worker.module';
import { GrowthWorkerModule } from './growth/growth-worker.module';
import { WorkerHealthController } from './health/worker-health.controller';
import { JobRunnerModule } from './jobs/job-runner.module';
import { MasterConsoleModule } from '@botfleet/telegram';
import { OperatorAlertsModule } from './operator-alerts/operator-alerts.module';
import { PaymentsWorkerModule } from './payments/payments-worker.module';
import { ProvisioningWorkerModule } from './provisioning/provisioning-worker.module';
import { SalesWorkerModule } from './sales/sales-worker.module';
import { SupportWorkerModule } from './support/support-worker.module';

@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (c: AppConfig) => pinoParams(c.LOG_LEVEL, 'worker', c.NODE_ENV === 'development'),
    }),
    SecretsModule,
    DalModule,
    PlatformDbModule,
    RedisModule,
    JobsModule,
    ProvisioningWorkerModule,
    BotsModule,
    SalesWorkerModule,
    BroadcastsWorkerModule,
    PaymentsWorkerModule,
    SupportWorkerModule,
    MasterConsoleModule,
    OperatorAlertsModule,
    GrowthWorkerModule,
    JobRunnerModule,
    TerminusModule.forRoot({ logger: false }),
  ],
  controllers: [WorkerHealthController],
})
export class WorkerModule {}
