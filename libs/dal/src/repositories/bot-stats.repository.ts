import { Injectable } from '@nestjs/common';
import { SALE_STATUSES } from '../entities/order.entity';
import { TenantDb } from '../tenant-context';

/** One day of the tenant's figures, a calendar day in the shop's time zone. */
export interface BotStatsDayRow {
  /** `YYYY-MM-DD`. */
  date: string;
  sales: number;
  /** Text: a sum of bigints may exceed what a JS number holds exactly (the caller checks). */
  revenue_minor: string;
  /** Promo-code discounts given on those sales (same currency rule as revenue), text like revenue. */
  discount_minor: string;
  /** The wholesale cost of those sales (on the plan's price, whatever the discount), text like revenue. */
  wholesale_minor: string;
  new_users: number;
}

/**
 * One row per day of [$2, $3] in the time zone $6 (an IANA name: the shop's days), zeros included. A sale is an order whose status is one of
 * SALE_STATUSES ($4) with `paid_at` in the day; revenue is the sum of those orders' `amount_minor` in the
 * bot's current currency ($5) — a sale made before the tenant changed currency counts as a sale, not as
 * revenue, so amounts in two currencies are never added up;
 * a new user is a `users` row created in the day. The timestamp bounds are written as plain ranges
 * on the columns so `users (bot_id, created_at)` can serve them; a day's bounds are its local midnights, so a day
 * of a zone's daylight-saving change is 23 or 25 hours long.
 */
const BY_DAY_SQL = `
  WITH days AS (
    SELECT $2::date + i AS day FROM generate_series(0, $3::date - $2::date) AS g(i)
  ),
  sales AS (
    SELECT (o.paid_at AT TIME ZONE $6)::date AS day, count(*)::int AS sales,
           sum(o.amount_minor) FILTER (WHERE o.currency = $5) AS revenue,
           sum(o.discount_minor) FILTER (WHERE o.currency = $5) AS discount,
           sum(o.wholesale_minor) AS wholesale
    FROM orders o
    WHERE o.bot_id = $1
      AND o.status = ANY($4::varchar[])
      AND o.paid_at >= $2::date::timestamp AT TIME ZONE $6
      AND o.paid_at < ($3::date + 1)::timestamp AT TIME ZONE $6
    GROUP BY 1
  ),
  joined AS (
    SELECT (u.created_at AT TIME ZONE $6)::date AS day, count(*)::int AS n
    FROM users u
    WHERE u.bot_id = $1
      AND u.created_at >= $2::date::timestamp AT TIME ZONE $6
      AND u.created_at < ($3::date + 1)::timestamp AT TIME ZONE $6
    GROUP BY 1
  )
  SELECT to_char(d.day, 'YYYY-MM-DD') AS date,
         coalesce(s.sales, 0) AS sales,
         coalesce(s.revenue, 0)::text AS revenue_minor,
         coalesce(s.discount, 0)::text AS discount_minor,
         coalesce(s.wholesale, 0)::text AS wholesale_minor,
         coalesce(j.n, 0) AS new_users
  FROM days d
  LEFT JOIN sales s ON s.day = d.day
  LEFT JOIN joined j ON j.day = d.day
  ORDER BY d.day`;

/** The tenant's own figures (sales, revenue, new users, active subscriptions). */
@Injectable()
export class BotStatsRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * Sales, revenue in `currency` and new users per day of [`from`, `to`] (inclusive `YYYY-MM-DD`), days being
   * calendar days in `timeZone` (an IANA name PostgreSQL knows).
   */
  salesAndNewUsersByDay(
    botId: string,
    from: string,
    to: string,
    currency: string,
    timeZone: string,
  ): Promise<BotStatsDayRow[]> {
    return this.db.within(botId, (m) => m.query(BY_DAY_SQL, [botId, from, to, SALE_STATUSES, currency, timeZone]));
  }

  async countActiveSubscriptions(botId: string): Promise<number> {
    const [active]: { n: number }[] = await this.db.within(botId, (m) =>
      m.query(`SELECT count(*)::int AS n FROM subscriptions WHERE bot_id = $1 AND status = 'active'`, [botId]),
    );
    return active?.n ?? 0;
  }
}
