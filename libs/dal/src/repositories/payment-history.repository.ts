import { Injectable } from '@nestjs/common';
import { TenantDb } from '../tenant-context';

/** Filters of the payment history (every one optional; dates are [from, to)). */
export interface PaymentHistoryFilter {
  /** `card_to_card` or a gateway's name (`zarinpal`, `stars` …). */
  method?: string;
  /** The method's own status (card: awaiting_receipt/pending/approved/rejected/expired; gateway: pending/paid/failed/expired/refunded). */
  status?: string;
  userId?: string;
  purpose?: 'order' | 'topup';
  from?: Date;
  to?: Date;
}

/** One payment of any method, as the history lists it. */
export interface PaymentHistoryRow {
  id: string;
  method: string;
  purpose: 'order' | 'topup';
  status: string;
  user_id: string;
  order_id: string | null;
  /** Text: bigint. */
  amount_minor: string;
  currency: string;
  gateway_amount: string | null;
  gateway_unit: string | null;
  external_id: string | null;
  reference: string | null;
  created_at: Date;
  paid_at: Date | null;
  refunded_at: Date | null;
}

/**
 * Card-to-card payments and gateway payments as one list (UNION ALL of the two tables, both bot-scoped). A card
 * payment's purpose is `topup` when it pays no order; its currency is the bot's (card payments carry none), its
 * `paid_at` the approval. Newest first, then by id.
 */
const UNION_SQL = `
  SELECT c.id, 'card_to_card'::text AS method,
         CASE WHEN c.order_id IS NULL THEN 'topup' ELSE 'order' END AS purpose,
         c.status::text AS status, c.user_id, c.order_id, c.amount_minor::text AS amount_minor,
         b.currency::text AS currency, NULL::text AS gateway_amount, NULL::text AS gateway_unit,
         NULL::text AS external_id, c.tracking_number::text AS reference, c.created_at,
         CASE WHEN c.status = 'approved' THEN c.reviewed_at END AS paid_at, NULL::timestamptz AS refunded_at
    FROM card_to_card_payments c JOIN bots b ON b.id = c.bot_id
   WHERE c.bot_id = $1
  UNION ALL
  SELECT g.id, g.gateway::text, g.purpose::text, g.status::text, g.user_id, g.order_id, g.amount_minor::text,
         g.currency::text, g.gateway_amount::text, g.gateway_unit::text, g.external_id::text, g.gateway_ref::text,
         g.created_at, g.paid_at, g.refunded_at
    FROM gateway_payments g
   WHERE g.bot_id = $1`;

@Injectable()
export class PaymentHistoryRepository {
  constructor(private readonly db: TenantDb) {}

  async page(
    botId: string,
    f: PaymentHistoryFilter,
    offset: number,
    limit: number,
  ): Promise<[PaymentHistoryRow[], number]> {
    const params: unknown[] = [botId];
    const where: string[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.method) add('p.method = ?', f.method);
    if (f.status) add('p.status = ?', f.status);
    if (f.userId) add('p.user_id = ?', f.userId);
    if (f.purpose) add('p.purpose = ?', f.purpose);
    if (f.from) add('p.created_at >= ?', f.from);
    if (f.to) add('p.created_at < ?', f.to);
    const filtered = `SELECT * FROM (${UNION_SQL}) p${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
    return this.db.within(botId, async (m) => {
      const rows: PaymentHistoryRow[] = await m.query(
        `${filtered} ORDER BY p.created_at DESC, p.id DESC OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
        [...params, offset, limit],
      );
      const [{ n }]: { n: string }[] = await m.query(`SELECT count(*) AS n FROM (${filtered}) t`, params);
      return [rows, Number(n)];
    });
  }

  /** One payment of either kind by id, or null. */
  async byId(botId: string, id: string): Promise<PaymentHistoryRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return this.db.within(botId, async (m) => {
      const rows: PaymentHistoryRow[] = await m.query(`SELECT * FROM (${UNION_SQL}) p WHERE p.id = $2`, [botId, id]);
      return rows[0] ?? null;
    });
  }
}
