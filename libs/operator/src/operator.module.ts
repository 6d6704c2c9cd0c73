import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { BotsModule } from '@botfleet/bots';
import { CatalogModule } from '@botfleet/catalog';
import { BotAdminService } from './bots/bot-admin.service';
import { InvitesService } from './invites/invites.service';
import { MasterBotRegistry } from './onboarding/master-bot-registry';
import { OnboardBotUseCase } from './onboarding/onboard-bot.use-case';
import { OperatorAuditService } from './operator-audit.service';
import { PanelsRegistryService } from './panels/panels-registry.service';
import { ProvisioningPanelDirectory } from './panels/provisioning-panel-directory';
import { TopUpWalletUseCase } from './wallet/top-up-wallet.use-case';
import { AdjustWalletUseCase } from './wallet/adjust-wallet.use-case';
import { OperatorConsoleService } from './console/operator-console.service';
import { ReencryptSecretsUseCase } from './secrets/reencrypt-secrets.use-case';

/**
 * The operator's use cases: onboarding, suspend and resume, allowances, wholesale prices, wallet top-ups,
 * invites, the panel registry and the master bot. Needs the global PlatformDbModule, DalModule,
 * SecretsModule, RedisModule, AuditModule and ConfigModule.
 */
@Module({
  imports: [CatalogModule, BillingModule, BotsModule],
  providers: [
    OperatorAuditService,
    OnboardBotUseCase,
    MasterBotRegistry,
    BotAdminService,
    TopUpWalletUseCase,
    AdjustWalletUseCase,
    InvitesService,
    PanelsRegistryService,
    ProvisioningPanelDirectory,
    OperatorConsoleService,
    ReencryptSecretsUseCase,
  ],
  exports: [
    OperatorAuditService,
    OnboardBotUseCase,
    MasterBotRegistry,
    BotAdminService,
    TopUpWalletUseCase,
    AdjustWalletUseCase,
    InvitesService,
    PanelsRegistryService,
    ProvisioningPanelDirectory,
    OperatorConsoleService,
    ReencryptSecretsUseCase,
  ],
})
export class OperatorModule {}
