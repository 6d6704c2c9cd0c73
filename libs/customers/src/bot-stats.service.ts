import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { BotSelfRepository, OrderStatus, TenantDb } from '@botfleet/dal';
import { resolveStatsRange, StatsRangeQuery } from './stats-range';

/**
 * Order statuses that count as a sale: the order was paid and has not since been refunded or
 * failed. `paid` → `fulfilling` → `fulfilled` is the normal life of a paid order; `refunded` and
 * `failed` (which may also carry a `paid_at`) do not count, nor do orders never paid (`pending`,
 * `rejected`, `expired`).
 */
export const SALE_STATUSES: readonly OrderStatus[] = ['paid', 'fulfilling', 'fulfilled'];

export interface BotStatsDay {
  /** UTC day, `YYYY-MM-DD`. */
  date: string;
  sales: number;
  revenueMinor: number;
  newUsers: number;
}

export interface BotStats {
  from: string;
  to: string;
  currency: string;
  totals: {
    sales: number;
    revenueMinor: number;
    newUsers: number;
    activeSubscriptions: number;
    trafficSoldBytes: number;
    trafficConsumedBytes: number;
  };
  byDay: BotStatsDay[];
}

interface DayRow {
  date: string;
  sales: number;
  revenue_minor: string;
  new_users: number;
}

const safeNumber = (v: string | number, what: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${what} out of safe integer range`);
  return n;
};

/**
 * One row per UTC day of [$2, $3], zeros included. A sale is an order whose status is one of
 * SALE_STATUSES ($4) with `paid_at` in the day; revenue is the sum of those orders' `amount_minor` in the
 * bot's current currency ($5) — a sale made before the tenant changed currency counts as a sale, not as
 * revenue, so amounts in two currencies are never added up;
 * a new user is a `users` row created in the day. The timestamp bounds are written as plain ranges
 * on the columns so `users (bot_id, created_at)` can serve them.
 */
const BY_DAY_SQL = `
  WITH days AS (
    SELECT $2::date + i AS day FROM generate_series(0, $3::date - $2::date) AS g(i)
  ),
  sales AS (
    SELECT (o.paid_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS sales,
           sum(o.amount_minor) FILTER (WHERE o.currency = $5) AS revenue
    FROM orders o
    WHERE o.bot_id = $1
      AND o.status = ANY($4::varchar[])
      AND o.paid_at >= $2::date::timestamp AT TIME ZONE 'UTC'
      AND o.paid_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY 1
  ),
  joined AS (
    SELECT (u.created_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS n
    FROM users u
    WHERE u.bot_id = $1
      AND u.created_at >= $2::date::timestamp AT TIME ZONE 'UTC'
      AND u.created_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY 1
  )
  SELECT to_char(d.day, 'YYYY-MM-DD') AS date,
         coalesce(s.sales, 0) AS sales,
         coalesce(s.revenue, 0)::text AS revenue_minor,
         coalesce(j.n, 0) AS new_users
  FROM days d
  LEFT JOIN sales s ON s.day = d.day
  LEFT JOIN joined j ON j.day = d.day
  ORDER BY d.day`;

/** The tenant's own sales figures (REST `GET /v1/bots/{botId}/stats`). */
@Injectable()
export class BotStatsService {
  constructor(
    private readonly db: TenantDb,
    private readonly botSelf: BotSelfRepository,
  ) {}

  /** `from`/`to`: inclusive UTC days `YYYY-MM-DD`; default the last 30 days ending today. */
  async stats(botId: string, q: StatsRangeQuery = {}, now: Date = new Date()): Promise<BotStats> {
    const { from, to } = resolveStatsRange(q, now);
    return this.db.run(botId, async (tx) => {
      const bot = await this.botSelf.get(botId);
      if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
      const rows: DayRow[] = await tx.manager.query(BY_DAY_SQL, [botId, from, to, SALE_STATUSES, bot.currency]);
      const [active]: { n: number }[] = await tx.manager.query(
        `SELECT count(*)::int AS n FROM subscriptions WHERE bot_id = $1 AND status = 'active'`,
        [botId],
      );
      const byDay = rows.map((r) => ({
        date: r.date,
        sales: r.sales,
        revenueMinor: safeNumber(r.revenue_minor, 'revenue'),
        newUsers: r.new_users,
      }));
      const sum = (pick: (d: BotStatsDay) => number) => byDay.reduce((acc, d) => acc + pick(d), 0);
      return {
        from,
        to,
        currency: bot.currency,
        totals: {
          sales: sum((d) => d.sales),
          revenueMinor: safeNumber(
            sum((d) => d.revenueMinor),
            'revenue',
          ),
          newUsers: sum((d) => d.newUsers),
          activeSubscriptions: active?.n ?? 0,
          trafficSoldBytes: bot.trafficSoldBytes,
          trafficConsumedBytes: bot.trafficConsumedBytes,
        },
        byDay,
      };
    });
  }
}
