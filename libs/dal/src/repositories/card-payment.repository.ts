import { Injectable } from '@nestjs/common';
import { TenantDb } from '../tenant-context';

/** A new card-to-card payment as `insertUnlessTrackingTaken` writes it. */
export type NewCardPayment = {
  userId: string;
  cardId: string;
  amountMinor: number;
  trackingNumber: string;
  expiresAt: Date;
} & (
  | { purpose?: 'order'; orderId: string }
  /** A wallet top-up: no order; `forOrderId` is the order it was started for, if any. */
  | { purpose: 'topup'; forOrderId?: string | null }
);

/** The queries on `card_to_card_payments` that the generic tenant repository cannot express. */
@Injectable()
export class CardPaymentRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * Inserts the payment unless its tracking number is already used in this bot (the caller draws another
   * and tries again). Returns the new id, or null on a clash.
   */
  async insertUnlessTrackingTaken(botId: string, p: NewCardPayment): Promise<string | null> {
    const rows: { id: string }[] = await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO card_to_card_payments
             (bot_id, user_id, purpose, order_id, for_order_id, card_id, amount_minor, tracking_number, expires_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (bot_id, tracking_number) DO NOTHING RETURNING id`,
        [
          botId,
          p.userId,
          p.purpose ?? 'order',
          p.purpose === 'topup' ? null : p.orderId,
          p.purpose === 'topup' ? (p.forOrderId ?? null) : null,
          p.cardId,
          p.amountMinor,
          p.trackingNumber,
          p.expiresAt,
        ],
      ),
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Claims the review of this payment for the caller's transaction (approve or reject), without waiting: false
   * when another review of it is in flight. A transaction-scoped advisory lock that only reviews take, so a loser
   * gives its pooled connection back at once instead of holding it, blocked on the payment's row lock, for the
   * whole of the winner's transaction (a hundred concurrent approvals queued on the pool and timed out as 503).
   * Writers that are not reviews (the review message's ids, reminders) do not take it: they never make a review
   * fail, they only make it wait for their short update.
   */
  async tryClaimReview(botId: string, paymentId: string): Promise<boolean> {
    const rows: { claimed: boolean }[] = await this.db.within(botId, (m) =>
      m.query(`SELECT pg_try_advisory_xact_lock(hashtextextended('botfleet:card-review:' || $1::text, 0)) AS claimed`, [
        paymentId,
      ]),
    );
    return rows[0]?.claimed === true;
  }
}
