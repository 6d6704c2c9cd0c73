import { Module } from '@nestjs/common';
import { JobsModule } from '@botfleet/jobs';
import { MasterBotRegistry } from '@botfleet/platform';
import { BotConversationModule } from '@botfleet/telegram';
import { BotLeaseService } from './bot-lease.service';
import { BotSupervisor } from './bot-supervisor.service';
import { MasterBotService } from './master-bot.service';
import { OwnerNotifier } from './owner-notifier.service';
import { ProcessedUpdatesPruner } from './processed-updates.pruner';
import { TelegramUpdatesProcessor } from './telegram-updates.processor';

/** Bot hosting in the worker: supervisor, leases, pollers, webhook-update processor, master bot, pruning. */
@Module({
  imports: [JobsModule, BotConversationModule],
  providers: [
    BotLeaseService,
    OwnerNotifier,
    BotSupervisor,
    TelegramUpdatesProcessor,
    MasterBotRegistry,
    MasterBotService,
    ProcessedUpdatesPruner,
  ],
  exports: [BotSupervisor],
})
export class BotsModule {}
