import { Module } from '@nestjs/common';
import { BotApiModule } from '@botfleet/bot-api';
import { BotAdminsModule } from './admins/bot-admins.module';
import { BotEventsPublisher } from './bot-events.publisher';
import { BotSettingsService } from './bot-settings.service';

/**
 * The tenant's own bot on the tenant path, and the one bot events publisher of the process. Needs the
 * global DalModule, SecretsModule, RedisModule, AuditModule and ConfigModule.
 */
@Module({
  imports: [BotApiModule, BotAdminsModule],
  providers: [BotEventsPublisher, BotSettingsService],
  exports: [BotEventsPublisher, BotSettingsService, BotApiModule, BotAdminsModule],
})
export class BotsModule {}
