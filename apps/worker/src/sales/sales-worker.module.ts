import { Module, OnModuleInit } from '@nestjs/common';
import { JobName } from '@botfleet/jobs';
import { JobOutboxRelay, SaleSweeps } from '@botfleet/platform';
import { SalesModule } from '@botfleet/sales';
import { UsersModule } from '@botfleet/users';
import { BotConversationModule, SaleNotifications } from '@botfleet/telegram';
import { NotificationHandlers } from '../notifications/notification-handlers';
import { NotificationsModule } from '../notifications/notifications.module';
import { SaleSweeper } from './sale-sweeper.service';

/** The worker's part of the sale: notices from sale events, owner alerts, the sweeper. */
@Module({
  imports: [SalesModule, UsersModule, NotificationsModule, BotConversationModule],
  providers: [SaleNotifications, SaleSweeps, JobOutboxRelay, SaleSweeper],
  exports: [SaleSweeper],
})
export class SalesWorkerModule implements OnModuleInit {
  constructor(
    private readonly handlers: NotificationHandlers,
    private readonly notices: SaleNotifications,
  ) {}

  onModuleInit(): void {
    this.handlers.register(JobName.SaleNotification, (job) => this.notices.handle(job));
    this.handlers.register(JobName.NotifyOwner, (job) => this.notices.handleOwner(job));
  }
}
