import { Injectable } from '@nestjs/common';
import { TenantDb } from '../tenant-context';

/** A plan as the listing reads it: the `bot_plans` columns plus the bot's currency. */
export interface PlanListRow {
  id: string;
  name: Partial<Record<'fa' | 'en' | 'ru', string>>;
  period_days: number;
  price_minor: string;
  price_stars: number | null;
  traffic_limit_gb: number;
  device_limit: number;
  panel_id: string | null;
  location: string | null;
  sort_order: number;
  is_active: boolean;
  is_trial: boolean;
  created_at: Date;
  updated_at: Date;
  currency: string;
}

/** The queries on `bot_plans` that the generic tenant repository cannot express. */
@Injectable()
export class PlanRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * Every undeleted plan of the bot (only active ones with `activeOnly`), in the tenant's order, with the
   * bot's currency joined in: one round trip for the hottest tenant read (B6) that the bot's menu makes too.
   */
  listWithCurrency(botId: string, activeOnly: boolean): Promise<PlanListRow[]> {
    return this.db.within(botId, (m) =>
      m.query(
        `SELECT p.id, p.name, p.period_days, p.price_minor, p.price_stars, p.traffic_limit_gb, p.device_limit,
                p.panel_id, p.location, p.sort_order, p.is_active, p.is_trial, p.created_at, p.updated_at, b.currency
           FROM bot_plans p JOIN bots b ON b.id = p.bot_id
          WHERE p.bot_id = $1 AND p.deleted_at IS NULL AND ($2::boolean IS FALSE OR p.is_active)
          ORDER BY p.sort_order, p.created_at, p.id`,
        [botId, activeOnly],
      ),
    );
  }

  /** The sort order after the last undeleted plan (0 for the first plan). */
  async nextSortOrder(botId: string): Promise<number> {
    const [{ next }]: { next: number }[] = await this.db.within(botId, (m) =>
      m.query(
        `SELECT COALESCE(MAX(sort_order) + 1, 0)::int AS next FROM bot_plans WHERE bot_id = $1 AND deleted_at IS NULL`,
        [botId],
      ),
    );
    return Number(next);
  }

  /**
   * Makes `planId` the bot's only trial plan (`null`: none), touching only the rows whose flag changes. A plan
   * priced 0 that stops being the trial is deactivated: only the trial plan may be free, and it is never sold.
   */
  async markTrialPlan(botId: string, planId: string | null): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `UPDATE bot_plans SET is_trial = (id IS NOT DISTINCT FROM $2::uuid),
                is_active = is_active AND (price_minor > 0 OR id IS NOT DISTINCT FROM $2::uuid), updated_at = now()
          WHERE bot_id = $1 AND is_trial <> (id IS NOT DISTINCT FROM $2::uuid)`,
        [botId, planId],
      ),
    );
  }
}
