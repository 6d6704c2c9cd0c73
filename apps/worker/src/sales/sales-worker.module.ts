import { Module } from '@nestjs/common';
import { SaleSweeps } from '@botfleet/platform';
import { SalesModule } from '@botfleet/sales';
import { UsersModule } from '@botfleet/users';
import { BotConversationModule, SaleNotifications } from '@botfleet/telegram';
import { OwnerNotifier } from '../bots/owner-notifier.service';
import { NotificationsModule } from '../notifications/notifications.module';
import { ProvisioningWorkerModule } from '../provisioning/provisioning-worker.module';
import { SaleNotificationsProcessor } from './sale-notifications.processor';
import { SaleSweeper } from './sale-sweeper.service';
import { JobOutboxRelay } from './job-outbox-relay';

/** The worker's part of the sale: notices from sale events, owner alerts, the sweeper. */
@Module({
  imports: [SalesModule, UsersModule, NotificationsModule, BotConversationModule, ProvisioningWorkerModule],
  providers: [SaleNotifications, SaleSweeps, JobOutboxRelay, SaleSweeper, SaleNotificationsProcessor, OwnerNotifier],
  exports: [SaleSweeper],
})
export class SalesWorkerModule {}
