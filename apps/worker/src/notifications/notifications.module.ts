import { Global, Module } from '@nestjs/common';
import { NotificationHandlers } from './notification-handlers';
import { NotificationsProcessor } from './notifications.processor';

/** The notifications queue consumer and its handler registry (global: any worker module registers). */
@Global()
@Module({
  providers: [NotificationHandlers, NotificationsProcessor],
  exports: [NotificationHandlers],
})
export class NotificationsModule {}
