import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads, OnJob, OnJobFinalFailure } from '@botfleet/jobs';
import { SaleNotifications } from '@botfleet/telegram';
import { OwnerNotifier } from '../bots/owner-notifier.service';
import { OwnerAlerts } from '../notifications/owner-alerts.service';

type SaleJob = JobPayloads[JobName.SaleNotification];

/**
 * Sale notices (review messages, the user's news) and owner alerts. A notice that fails for good (the admin
 * chat unreachable for hours, say) is not dropped in silence: the owner is told in their private chat.
 */
@Injectable()
export class SaleNotificationsProcessor {
  constructor(
    private readonly notices: SaleNotifications,
    private readonly alerts: OwnerAlerts,
    private readonly owner: OwnerNotifier,
  ) {}

  @OnJob({ name: JobName.SaleNotification })
  notify(job: SaleJob): Promise<void> {
    return this.notices.handle(job);
  }

  @OnJobFinalFailure({ name: JobName.SaleNotification })
  async notifyFailed({ botId, event, paymentId, orderId }: SaleJob): Promise<void> {
    await this.alerts.noticeUndelivered(botId, event, paymentId ?? orderId ?? '-');
  }

  @OnJob({ name: JobName.NotifyOwner })
  async notifyOwner(job: JobPayloads[JobName.NotifyOwner]): Promise<void> {
    // A restored bot is paused and does not speak: the master bot tells its owner.
    if (job.kind === 'restored') {
      await this.owner.restored(job.botId);
      return;
    }
    return this.notices.handleOwner(job);
  }
}
