import { Module } from '@nestjs/common';
import { BotApiModule } from '@botfleet/bot-api';
import { BotEventsPublisher } from './bot-events.publisher';
import { BotSettingsService } from './bot-settings.service';

/**
 * The tenant's own bot on the tenant path, and the one bot events publisher of the process. Needs the
 * global DalModule, SecretsModule, RedisModule, AuditModule and ConfigModule.
 */
@Module({
  imports: [BotApiModule],
  providers: [BotEventsPublisher, BotSettingsService],
  exports: [BotEventsPublisher, BotSettingsService, BotApiModule],
})
export class BotsModule {}
