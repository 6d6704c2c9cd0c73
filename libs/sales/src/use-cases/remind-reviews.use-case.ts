import { Injectable } from '@nestjs/common';
import { LessThan, LessThanOrEqual } from 'typeorm';
import { TenantDb, TenantRepositories } from '@botfleet/dal';
import { SaleNotifier } from '../sale-events';
import { REVIEW_REMINDERS } from '../sale-rules';

export interface RemindReviewsInput {
  botId: string;
  now?: Date;
}

/**
 * Receipts waiting for a decision are never expired; instead their reviewers are reminded (REVIEW_REMINDERS:
 * the admins after 30 minutes and 2 hours, then the owner). Each reminder is claimed by a conditional update of
 * the payment's reminder count and its notice written to the job outbox in the same transaction, so concurrent
 * sweeps send it once. After a long pause only the latest reminder due is sent. Returns the reminders sent.
 */
@Injectable()
export class RemindReviewsUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly notifier: SaleNotifier,
  ) {}

  async execute({ botId, now = new Date() }: RemindReviewsInput): Promise<number> {
    const first = REVIEW_REMINDERS[0].afterMinutes * 60_000;
    const waiting = await this.repos.cardPayments.find(botId, {
      where: {
        status: 'pending',
        receiptSubmittedAt: LessThanOrEqual(new Date(now.getTime() - first)),
        reviewRemindersSent: LessThan(REVIEW_REMINDERS.length),
      },
      order: { receiptSubmittedAt: 'ASC' },
      take: 500,
    });
    let sent = 0;
    for (const p of waiting) {
      const waited = now.getTime() - p.receiptSubmittedAt!.getTime();
      const due = REVIEW_REMINDERS.filter((r) => r.afterMinutes * 60_000 <= waited).length;
      if (due <= p.reviewRemindersSent) continue;
      const claimed = await this.db.run(botId, async () => {
        const changed = await this.repos.cardPayments.update(
          botId,
          { id: p.id, status: 'pending', reviewRemindersSent: p.reviewRemindersSent },
          { reviewRemindersSent: due },
        );
        if (!changed) return false;
        await this.notifier.notify(botId, 'review_reminder', { paymentId: p.id, reminder: due });
        return true;
      });
      if (claimed) sent++;
    }
    return sent;
  }
}
