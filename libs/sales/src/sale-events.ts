import { Injectable } from '@nestjs/common';
import { JobName, JobOutbox, JobPayloads, jobIdFor } from '@botfleet/jobs';

export type SaleEvent = JobPayloads[JobName.SaleNotification]['event'];

/**
 * Tells people about a sale once its state change commits: one notifications job per event
 * (deterministic id, so a retried request does not notify twice), written to the job outbox in the
 * change's own transaction, so a crash after the commit cannot lose it (a receipt nobody is asked to
 * review). The worker turns it into Telegram messages (user, admin chat, owner), whether the change
 * came from REST or a button. Call it inside the transaction of the change.
 */
@Injectable()
export class SaleNotifier {
  constructor(private readonly outbox: JobOutbox) {}

  async notify(
    botId: string,
    event: SaleEvent,
    ref: { paymentId?: string; orderId?: string; reminder?: number; refundTo?: 'wallet' | 'offline' },
  ): Promise<void> {
    const key = ref.paymentId ?? ref.orderId ?? 'none';
    const suffix =
      event === 'receipt_submitted'
        ? `${Date.now()}`
        : event === 'review_reminder'
          ? `reminder${ref.reminder}-${Date.now()}`
          : 'once';
    await this.outbox.add(
      botId,
      JobName.SaleNotification,
      { botId, event, ...ref },
      jobIdFor(JobName.SaleNotification, [botId, key, event, suffix]),
    );
  }
}
