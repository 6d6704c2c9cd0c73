import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { WholesalePriceEntity } from '@botfleet/dal';
import { PlatformDb } from '../platform-db';

export interface WholesalePriceValues {
  perPlanMinor: number;
  perGbMinor: number;
  perDayMinor: number;
  unlimitedTrafficGb: number;
  /** Per free trial; absent keeps the stored one (0 for a new row). */
  trialMinor?: number;
}

/** What the operator charges each tenant per sale (`wholesale_prices`, written by the operator only). */
@Injectable()
export class WholesalePricesRepository {
  constructor(private readonly platform: PlatformDb) {}

  get(botId: string, m: EntityManager = this.platform.manager): Promise<WholesalePriceEntity | null> {
    return m.findOneBy(WholesalePriceEntity, { botId });
  }

  async upsert(m: EntityManager, botId: string, price: WholesalePriceValues): Promise<void> {
    await m.query(
      `INSERT INTO wholesale_prices (bot_id, per_plan_minor, per_gb_minor, per_day_minor, unlimited_traffic_gb, trial_minor)
       VALUES ($1,$2,$3,$4,$5,COALESCE($6::bigint, 0))
       ON CONFLICT (bot_id) DO UPDATE SET per_plan_minor = EXCLUDED.per_plan_minor,
         per_gb_minor = EXCLUDED.per_gb_minor, per_day_minor = EXCLUDED.per_day_minor,
         unlimited_traffic_gb = EXCLUDED.unlimited_traffic_gb,
         trial_minor = COALESCE($6::bigint, wholesale_prices.trial_minor), updated_at = now()`,
      [botId, price.perPlanMinor, price.perGbMinor, price.perDayMinor, price.unlimitedTrafficGb, price.trialMinor ?? null],
    );
  }
}
