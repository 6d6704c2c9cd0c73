import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads, OnJob, OnJobFinalFailure } from '@botfleet/jobs';
import { SupportNotifications } from '@botfleet/telegram';
import { OwnerAlerts } from '../notifications/owner-alerts.service';

type SupportJob = JobPayloads[JobName.SupportNotification];

/** Ticket events to Telegram. One that fails for good (the admin chat and the owner unreachable for hours) reaches the owner. */
@Injectable()
export class SupportNotificationsProcessor {
  constructor(
    private readonly notices: SupportNotifications,
    private readonly alerts: OwnerAlerts,
  ) {}

  @OnJob({ name: JobName.SupportNotification })
  notify(job: SupportJob): Promise<void> {
    return this.notices.handle(job);
  }

  @OnJobFinalFailure({ name: JobName.SupportNotification })
  async notifyFailed({ botId, event, ticketId }: SupportJob): Promise<void> {
    await this.alerts.noticeUndelivered(botId, event, ticketId);
  }
}
