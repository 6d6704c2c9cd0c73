import { Module } from '@nestjs/common';
import { OwnerAlerts } from './owner-alerts.service';

/** What the worker's notice handlers share: alerts to the owner. Needs the global JobsModule. */
@Module({
  providers: [OwnerAlerts],
  exports: [OwnerAlerts],
})
export class NotificationsModule {}
