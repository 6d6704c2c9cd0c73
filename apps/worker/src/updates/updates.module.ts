import { Module } from '@nestjs/common';
import { BotConversationModule } from '@botfleet/telegram';
import { UsersModule } from '@botfleet/users';
import { UpdateHandler } from './update-handler.service';

/** The exactly-once update pipeline, shared by the pollers and the webhook-update processor. */
@Module({
  imports: [BotConversationModule, UsersModule],
  providers: [UpdateHandler],
  exports: [UpdateHandler],
})
export class UpdatesModule {}
