import { Module } from '@nestjs/common';
import { BroadcastsModule } from '@botfleet/broadcasts';
import { BotConversationModule } from '@botfleet/telegram';
import { BroadcastSenderProcessor } from './broadcast-sender.processor';

/** The worker's part of broadcasts: previews and the paced, resumable sending. */
@Module({
  imports: [BroadcastsModule, BotConversationModule],
  providers: [BroadcastSenderProcessor],
})
export class BroadcastsWorkerModule {}
