import { Injectable } from '@nestjs/common';
import { SALE_STATUSES_SQL } from '../entities/order.entity';
import { TenantDb } from '../tenant-context';

/** A user's referral figures: how many joined by their link, how many of those bought, what they earned. */
export interface ReferralTotals {
  joined: number;
  bought: number;
  earnedMinor: number;
  reversedMinor: number;
}

/** One referral earning with the referred customer, for the REST list and the bot. */
export interface ReferralEarningRow {
  id: string;
  referrerId: string;
  referredId: string;
  orderId: string;
  amountMinor: number;
  reversedAt: Date | null;
  createdAt: Date;
}

/**
 * The statements of promo codes and referrals (libs/growth) that the generic repositories cannot say:
 * conditional counters, an order repriced only while nobody is paying it, and the referral figures.
 */
@Injectable()
export class PromoRepository {
  constructor(private readonly db: TenantDb) {}

  /** Takes one use of the code if any is left (never past max_uses); false when none is. */
  async claimUse(botId: string, promocodeId: string): Promise<boolean> {
    return this.db.within(botId, async (m) => {
      // An UPDATE answers [rows, affected] through TypeORM.
      const [, affected]: [unknown[], number] = await m.query(
        `UPDATE promocodes SET uses_count = uses_count + 1, updated_at = now()
          WHERE bot_id = $1 AND id = $2 AND (max_uses IS NULL OR uses_count < max_uses)`,
        [botId, promocodeId],
      );
      return affected === 1;
    });
  }

  /** Gives one use back (an order that expired or was refunded). */
  async releaseUse(botId: string, promocodeId: string): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `UPDATE promocodes SET uses_count = uses_count - 1, updated_at = now()
          WHERE bot_id = $1 AND id = $2 AND uses_count > 0`,
        [botId, promocodeId],
      ),
    );
  }

  /**
   * Prices a pending order of the user with a code: the discount off the amount, extra days on the period.
   * Only while the order is pending, has no code yet and no payment of it is under way (a card payment
   * waiting for a receipt or in review, a gateway payment open), so what a payer was told is what they pay.
   * False when the order is not in that state.
   */
  async applyToOrder(
    botId: string,
    orderId: string,
    userId: string,
    change: { promocodeId: string; discountMinor: number; extraDays: number },
  ): Promise<boolean> {
    return this.db.within(botId, async (m) => {
      const [, affected]: [unknown[], number] = await m.query(
        `UPDATE orders o
            SET amount_minor = o.amount_minor - $4, discount_minor = $4, period_days = o.period_days + $5,
                promocode_id = $3, updated_at = now()
          WHERE o.bot_id = $1 AND o.id = $2 AND o.user_id = $6 AND o.status = 'pending' AND o.promocode_id IS NULL
            AND o.amount_minor - $4 > 0
            AND NOT EXISTS (SELECT 1 FROM card_to_card_payments c
                             WHERE c.bot_id = $1 AND c.order_id = o.id AND c.status IN ('awaiting_receipt', 'pending'))
            AND NOT EXISTS (SELECT 1 FROM gateway_payments g
                             WHERE g.bot_id = $1 AND g.order_id = o.id AND g.status = 'pending')`,
        [botId, orderId, change.promocodeId, change.discountMinor, change.extraDays, userId],
      );
      return affected === 1;
    });
  }

  /** Whether the user has ever had an order paid (a sale, or one since refunded or failed), other than `exceptOrderId`. */
  async hasPaidOrder(botId: string, userId: string, exceptOrderId: string | null = null): Promise<boolean> {
    return this.db.within(botId, async (m) => {
      const rows: unknown[] = await m.query(
        `SELECT 1 FROM orders WHERE bot_id = $1 AND user_id = $2 AND paid_at IS NOT NULL AND amount_minor > 0
            AND ($3::uuid IS NULL OR id <> $3) LIMIT 1`,
        [botId, userId, exceptOrderId],
      );
      return rows.length > 0;
    });
  }

  async referralTotals(botId: string, referrerId: string): Promise<ReferralTotals> {
    return this.db.within(botId, async (m) => {
      const rows: { joined: string; bought: string; earned: string; reversed: string }[] = await m.query(
        `SELECT (SELECT count(*) FROM users u WHERE u.bot_id = $1 AND u.referrer_id = $2) AS joined,
                (SELECT count(*) FROM users u WHERE u.bot_id = $1 AND u.referrer_id = $2
                    AND EXISTS (SELECT 1 FROM orders o WHERE o.bot_id = $1 AND o.user_id = u.id
                                   AND o.status IN ${SALE_STATUSES_SQL} AND o.amount_minor > 0)) AS bought,
                (SELECT coalesce(sum(amount_minor), 0) FROM referral_earnings e
                  WHERE e.bot_id = $1 AND e.referrer_id = $2 AND e.reversed_at IS NULL) AS earned,
                (SELECT coalesce(sum(amount_minor), 0) FROM referral_earnings e
                  WHERE e.bot_id = $1 AND e.referrer_id = $2 AND e.reversed_at IS NOT NULL) AS reversed`,
        [botId, referrerId],
      );
      const r = rows[0];
      return {
        joined: Number(r.joined),
        bought: Number(r.bought),
        earnedMinor: Number(r.earned),
        reversedMinor: Number(r.reversed),
      };
    });
  }

  /** A page of referral earnings (of one referrer, or all), newest first, and how many there are. */
  async earningsPage(
    botId: string,
    referrerId: string | null,
    offset: number,
    limit: number,
  ): Promise<{ rows: ReferralEarningRow[]; total: number }> {
    return this.db.within(botId, async (m) => {
      const rows: {
        id: string;
        referrer_id: string;
        referred_id: string;
        order_id: string;
        amount_minor: string;
        reversed_at: Date | null;
        created_at: Date;
        total: string;
      }[] = await m.query(
        `SELECT id, referrer_id, referred_id, order_id, amount_minor, reversed_at, created_at, count(*) OVER () AS total
           FROM referral_earnings WHERE bot_id = $1 AND ($2::uuid IS NULL OR referrer_id = $2)
          ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
        [botId, referrerId, limit, offset],
      );
      return {
        total: rows.length ? Number(rows[0].total) : 0,
        rows: rows.map((r) => ({
          id: r.id,
          referrerId: r.referrer_id,
          referredId: r.referred_id,
          orderId: r.order_id,
          amountMinor: Number(r.amount_minor),
          reversedAt: r.reversed_at,
          createdAt: r.created_at,
        })),
      };
    });
  }
}
