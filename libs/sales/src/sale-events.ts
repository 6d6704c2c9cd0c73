import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads, JobQueue, jobIdFor } from '@botfleet/jobs';

export type SaleEvent = JobPayloads[JobName.SaleNotification]['event'];

/**
 * Tells people about a sale after its state change commits: one notifications job per event
 * (deterministic id, so a retried request does not notify twice). The worker turns it into
 * Telegram messages (user, admin chat, owner), whether the change came from REST or a button.
 */
@Injectable()
export class SaleNotifier {
  constructor(private readonly jobs: JobQueue) {}

  async notify(botId: string, event: SaleEvent, ref: { paymentId?: string; orderId?: string }): Promise<void> {
    const key = ref.paymentId ?? ref.orderId ?? 'none';
    const suffix = event === 'receipt_submitted' ? `${Date.now()}` : 'once';
    await this.jobs.add(
      JobName.SaleNotification,
      { botId, event, ...ref },
      { jobId: jobIdFor(JobName.SaleNotification, [botId, key, event, suffix]) },
    );
  }
}
