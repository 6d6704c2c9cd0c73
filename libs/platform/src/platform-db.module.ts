import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@botfleet/config';
import { createDataSource } from '@botfleet/dal';
import { SecretsModule } from '@botfleet/secrets';
import { PLATFORM_DATA_SOURCE, PlatformDb } from './platform-db';
import { AdminAuditRepository } from './audit/admin-audit.repository';
import { BotDirectory } from './bots/bot-directory';
import { ConsoleSessionsRepository } from './console/console-sessions.repository';
import { HostedBotsRepository } from './bots/hosted-bots.repository';
import { ProcessedUpdatesStore } from './bots/processed-updates.store';
import { FeatureAllowancesRepository } from './features/feature-allowances.repository';
import { InvitesRepository } from './invites/invites.repository';
import { MasterBotRepository } from './onboarding/master-bot.repository';
import { OnboardingRepository } from './onboarding/onboarding.repository';
import { PanelDirectoryRepository } from './panels/panel-directory.repository';
import { VpnPanelsRepository } from './panels/vpn-panels.repository';
import { GatewayPaymentDirectory } from './payments/gateway-payment-directory';
import { JobOutboxStore } from './sales/job-outbox.store';
import { PlatformStatsQueries } from './stats/platform-stats.queries';
import { OperatorConsoleQueries } from './stats/operator-console.queries';
import { StoredSecretsRepository } from './secrets/stored-secrets.repository';
import { WalletTopUpsRepository } from './wallet/wallet-top-ups.repository';
import { WholesalePricesRepository } from './wholesale/wholesale-prices.repository';

/**
 * The cross-tenant repositories every app may need, provided and exported from this one list (the worker's
 * sweeps, traffic store and outbox relay are provided by the modules that run them).
 */
const PLATFORM_REPOSITORIES = [
  AdminAuditRepository,
  BotDirectory,
  HostedBotsRepository,
  ProcessedUpdatesStore,
  InvitesRepository,
  MasterBotRepository,
  OnboardingRepository,
  PanelDirectoryRepository,
  VpnPanelsRepository,
  JobOutboxStore,
  PlatformStatsQueries,
  OperatorConsoleQueries,
  WholesalePricesRepository,
  WalletTopUpsRepository,
  FeatureAllowancesRepository,
  GatewayPaymentDirectory,
  StoredSecretsRepository,
  ConsoleSessionsRepository,
];

@Global()
@Module({
  // The panel directory decrypts panel credentials.
  imports: [SecretsModule],
  providers: [
    {
      provide: PLATFORM_DATA_SOURCE,
      inject: [AppConfig],
      useFactory: (c: AppConfig) =>
        createDataSource({
          url: c.DATABASE_PLATFORM_URL,
          poolSize: c.DATABASE_PLATFORM_POOL_SIZE,
          applicationName: 'botfleet-platform',
          connectTimeoutMs: c.DATABASE_CONNECT_TIMEOUT_MS,
          statementTimeoutMs: c.DATABASE_STATEMENT_TIMEOUT_MS,
          queryTimeoutMs: c.DATABASE_QUERY_TIMEOUT_MS,
          idleInTransactionTimeoutMs: c.DATABASE_IDLE_IN_TX_TIMEOUT_MS,
          circuitBreaker: true,
        }).initialize(),
    },
    { provide: PlatformDb, inject: [PLATFORM_DATA_SOURCE], useFactory: (ds: DataSource) => new PlatformDb(ds) },
    ...PLATFORM_REPOSITORIES,
  ],
  exports: [PlatformDb, ...PLATFORM_REPOSITORIES],
})
export class PlatformDbModule implements OnApplicationShutdown {
  constructor(@Inject(PLATFORM_DATA_SOURCE) private readonly ds: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
