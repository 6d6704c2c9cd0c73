import { Injectable } from '@nestjs/common';
import { clampCounter, DomainError, ErrorCode } from '@botfleet/common';
import { BotSelfRepository, BotStatsRepository, currencyOf, TenantDb } from '@botfleet/dal';
import { resolveStatsRange, StatsRangeQuery } from './stats-range';

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
    /** Promo-code discounts on those sales (revenue is after them). */
    discountMinor: number;
    /** What those sales cost in wholesale (on the plans' prices, not the discounted ones). */
    wholesaleMinor: number;
    newUsers: number;
    activeSubscriptions: number;
    trafficSoldBytes: number;
    trafficConsumedBytes: number;
  };
  byDay: BotStatsDay[];
}

/** A sum as a safe number: past 2^53 − 1 it saturates (shown as the top of the range, never a 500). */
const safeNumber = (v: string | number): number => clampCounter(Number(v));

/** The tenant's own sales figures (REST `GET /v1/bots/{botId}/stats`). */
@Injectable()
export class BotStatsService {
  constructor(
    private readonly db: TenantDb,
    private readonly botSelf: BotSelfRepository,
    private readonly figures: BotStatsRepository,
  ) {}

  /** `from`/`to`: inclusive UTC days `YYYY-MM-DD`; default the last 30 days ending today. */
  async stats(botId: string, q: StatsRangeQuery = {}, now: Date = new Date()): Promise<BotStats> {
    const { from, to } = resolveStatsRange(q, now);
    return this.db.run(botId, async () => {
      const bot = await this.botSelf.get(botId);
      if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
      // Revenue counts only orders in the bot's current currency: amounts in two currencies never add up.
      const currency = currencyOf(bot);
      const rows = await this.figures.salesAndNewUsersByDay(botId, from, to, currency);
      const active = await this.figures.countActiveSubscriptions(botId);
      const byDay = rows.map((r) => ({
        date: r.date,
        sales: r.sales,
        revenueMinor: safeNumber(r.revenue_minor),
        newUsers: r.new_users,
      }));
      const sum = (pick: (d: BotStatsDay) => number) => byDay.reduce((acc, d) => acc + pick(d), 0);
      return {
        from,
        to,
        currency,
        totals: {
          sales: sum((d) => d.sales),
          revenueMinor: safeNumber(sum((d) => d.revenueMinor)),
          discountMinor: safeNumber(rows.reduce((acc, r) => acc + Number(r.discount_minor), 0)),
          wholesaleMinor: safeNumber(rows.reduce((acc, r) => acc + Number(r.wholesale_minor), 0)),
          newUsers: sum((d) => d.newUsers),
          activeSubscriptions: active,
          trafficSoldBytes: bot.trafficSoldBytes,
          trafficConsumedBytes: bot.trafficConsumedBytes,
        },
        byDay,
      };
    });
  }
}
