import { Module } from '@nestjs/common';
import { BroadcastsModule } from '@botfleet/broadcasts';
import { AbandonedBroadcastPhotos, StalledBroadcasts } from '@botfleet/platform';
import { BotConversationModule } from '@botfleet/telegram';
import { OwnerNotifier } from '../bots/owner-notifier.service';
import { BroadcastSenderProcessor } from './broadcast-sender.processor';
import { BroadcastPhotoSweepHandler } from './broadcast-photo-sweep.handler';
import { BroadcastSweepHandler } from './broadcast-sweep.handler';

/**
 * The worker's part of broadcasts: previews, the paced, resumable sending, the sweep of lost job chains and the
 * one of uploaded pictures nobody will send.
 */
@Module({
  imports: [BroadcastsModule, BotConversationModule],
  providers: [
    BroadcastSenderProcessor,
    BroadcastSweepHandler,
    BroadcastPhotoSweepHandler,
    StalledBroadcasts,
    AbandonedBroadcastPhotos,
    OwnerNotifier,
  ],
})
export class BroadcastsWorkerModule {}
