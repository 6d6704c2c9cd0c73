import { Module } from '@nestjs/common';
import { JobsModule } from '@botfleet/jobs';
import { MasterBotRegistry } from '@botfleet/operator';
import { BotConversationModule } from '@botfleet/telegram';
import { UpdatesModule } from '../updates/updates.module';
import { BotLeaseService } from './bot-lease.service';
import { BotSupervisor } from './bot-supervisor.service';
import { DesiredBots } from './desired-bots.service';
import { HeldBots } from './held-bots.service';
import { LeaseKeeper } from './lease-keeper.service';
import { MasterBotService } from './master-bot.service';
import { OwnerNotifier } from './owner-notifier.service';
import { ProcessedUpdatesPruner } from './processed-updates.pruner';
import { TelegramUpdatesProcessor } from './telegram-updates.processor';
import { TokenRevocation } from './token-revocation.service';

/**
 * Bot hosting in the worker: the desired set, leases, held bots (pollers, webhooks), the 401 reaction, the
 * webhook-update processor, the master bot, pruning.
 */
@Module({
  imports: [JobsModule, BotConversationModule, UpdatesModule],
  providers: [
    BotLeaseService,
    DesiredBots,
    HeldBots,
    LeaseKeeper,
    OwnerNotifier,
    TokenRevocation,
    BotSupervisor,
    TelegramUpdatesProcessor,
    MasterBotRegistry,
    MasterBotService,
    ProcessedUpdatesPruner,
  ],
  exports: [BotSupervisor],
})
export class BotsModule {}
