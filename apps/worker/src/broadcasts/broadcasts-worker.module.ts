import { Module } from '@nestjs/common';
import { BroadcastsModule } from '@botfleet/broadcasts';
import { StalledBroadcasts } from '@botfleet/platform';
import { BotConversationModule } from '@botfleet/telegram';
import { OwnerNotifier } from '../bots/owner-notifier.service';
import { BroadcastSenderProcessor } from './broadcast-sender.processor';
import { BroadcastSweepHandler } from './broadcast-sweep.handler';

/** The worker's part of broadcasts: previews, the paced, resumable sending, and the sweep of lost job chains. */
@Module({
  imports: [BroadcastsModule, BotConversationModule],
  providers: [BroadcastSenderProcessor, BroadcastSweepHandler, StalledBroadcasts, OwnerNotifier],
})
export class BroadcastsWorkerModule {}
