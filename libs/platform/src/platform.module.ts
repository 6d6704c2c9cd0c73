import { Module } from '@nestjs/common';
import { CatalogModule } from '@botfleet/catalog';
import { AppConfig } from '@botfleet/config';
import { TelegramBotApi } from '@botfleet/telegram';
import { BotAdminService } from './bots/bot-admin.service';
import { BotEventsPublisher } from './bots/bot-events.publisher';
import { BotSettingsService } from './bots/bot-settings.service';
import { InvitesService } from './invites/invites.service';
import { OnboardBotUseCase } from './onboarding/onboard-bot.use-case';
import { PanelsRegistryService } from './panels/panels-registry.service';
import { PlatformAuditService } from './platform-audit.service';
import { PlatformStatsService } from './stats/platform-stats.service';
import { PlatformWalletService } from './wallet/tenant-wallet.service';

/**
 * Onboarding, the bot itself, the operator's levers (suspend, wallet top-ups, allowances, wholesale
 * prices, invites, panels) and platform stats. Needs the global PlatformDbModule, DalModule,
 * SecretsModule, RedisModule, AuditModule and ConfigModule.
 */
@Module({
  imports: [CatalogModule],
  providers: [
    {
      provide: TelegramBotApi,
      inject: [AppConfig],
      useFactory: (c: AppConfig) => new TelegramBotApi(c.TELEGRAM_API_ROOT),
    },
    PlatformAuditService,
    BotEventsPublisher,
    OnboardBotUseCase,
    BotSettingsService,
    BotAdminService,
    PlatformWalletService,
    InvitesService,
    PanelsRegistryService,
    PlatformStatsService,
  ],
  exports: [
    OnboardBotUseCase,
    BotSettingsService,
    BotAdminService,
    PlatformWalletService,
    InvitesService,
    PanelsRegistryService,
    PlatformStatsService,
    PlatformAuditService,
    BotEventsPublisher,
  ],
})
export class PlatformModule {}
