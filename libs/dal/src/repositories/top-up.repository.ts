import { Injectable } from '@nestjs/common';
import { TenantDb } from '../tenant-context';

/** One top-up of a user's wallet as stored: a card payment or a gateway payment with purpose `topup`. */
export interface TopUpRow {
  id: string;
  /** `card_to_card` or the gateway's name. */
  method: string;
  amountMinor: number;
  /** The source row's own status (card: awaiting_receipt … expired; gateway: pending … refunded). */
  status: string;
  trackingNumber: string | null;
  forOrderId: string | null;
  createdAt: Date;
  creditedAt: Date | null;
}

/** The wallet top-ups of every method, read as one list (the wallet's history and its REST list). */
@Injectable()
export class TopUpRepository {
  constructor(private readonly db: TenantDb) {}

  /** A page of the user's top-ups, newest first, and how many there are. */
  async pageForUser(
    botId: string,
    userId: string,
    offset: number,
    limit: number,
  ): Promise<{ rows: TopUpRow[]; total: number }> {
    return this.db.within(botId, async (m) => {
      const source = `
        SELECT id, 'card_to_card'::varchar AS method, amount_minor, status, tracking_number, for_order_id, created_at,
               CASE WHEN status = 'approved' THEN reviewed_at END AS credited_at
          FROM card_to_card_payments WHERE bot_id = $1 AND user_id = $2 AND purpose = 'topup'
        UNION ALL
        SELECT id, gateway, amount_minor, status, NULL, CASE WHEN details->>'forOrderId' ~ '^[0-9a-f-]{36}$'
               THEN (details->>'forOrderId')::uuid END, created_at, paid_at
          FROM gateway_payments WHERE bot_id = $1 AND user_id = $2 AND purpose = 'topup'`;
      const rows: {
        id: string;
        method: string;
        amount_minor: string;
        status: string;
        tracking_number: string | null;
        for_order_id: string | null;
        created_at: Date;
        credited_at: Date | null;
      }[] = await m.query(`${source} ORDER BY created_at DESC, id DESC OFFSET $3 LIMIT $4`, [
        botId,
        userId,
        offset,
        limit,
      ]);
      const [{ n }]: { n: number }[] = await m.query(`SELECT count(*)::int AS n FROM (${source}) t`, [botId, userId]);
      return {
        total: n,
        rows: rows.map((r) => ({
          id: r.id,
          method: r.method,
          amountMinor: Number(r.amount_minor),
          status: r.status,
          trackingNumber: r.tracking_number,
          forOrderId: r.for_order_id,
          createdAt: r.created_at,
          creditedAt: r.credited_at,
        })),
      };
    });
  }
}
