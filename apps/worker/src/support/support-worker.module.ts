import { Module } from '@nestjs/common';
import { SupportModule } from '@botfleet/support';
import { BotConversationModule } from '@botfleet/telegram';
import { NotificationsModule } from '../notifications/notifications.module';
import { SupportNotificationsProcessor } from './support-notifications.processor';

/** The worker's part of support tickets: the ticket events' messages. */
@Module({
  imports: [SupportModule, NotificationsModule, BotConversationModule],
  providers: [SupportNotificationsProcessor],
})
export class SupportWorkerModule {}
