import { Injectable } from '@nestjs/common';
import { clampCounter, DomainError, ErrorCode } from '@botfleet/common';
import { calendarOf, localDay, monthStart, shopTimeZone } from '@botfleet/catalog';
import { BotSelfRepository, BotStatsRepository, ConfigurationRepository, currencyOf, TenantDb } from '@botfleet/dal';
import { resolveStatsRange, StatsRangeQuery } from './stats-range';

export interface BotStatsDay {
  /** The shop's day (a calendar day in its time zone), `YYYY-MM-DD`. */
  date: string;
  sales: number;
  revenueMinor: number;
  newUsers: number;
}

export interface BotStats {
  from: string;
  to: string;
  /** The IANA time zone whose calendar days `from`, `to` and `byDay` are (configuration `time_zone`). */
  timeZone: string;
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
    private readonly configurations: ConfigurationRepository,
  ) {}

  /**
   * `from`/`to`: inclusive days `YYYY-MM-DD` of the shop's calendar (its `time_zone`); default the last 30 days
   * ending today there.
   */
  async stats(botId: string, q: StatsRangeQuery = {}, now: Date = new Date()): Promise<BotStats> {
    return this.db.run(botId, async () => {
      const bot = await this.botSelf.get(botId);
      if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
      const timeZone = shopTimeZone(await this.configurations.stored(botId, 'time_zone'));
      const { from, to } = resolveStatsRange(q, now, timeZone);
      // Revenue counts only orders in the bot's current currency: amounts in two currencies never add up.
      const currency = currencyOf(bot);
      const rows = await this.figures.salesAndNewUsersByDay(botId, from, to, currency, timeZone);
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
        timeZone,
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

  /**
   * The admin's dashboard periods: today and this month so far, in the shop's days. The month is a Solar Hijri
   * month for a shop whose default language is fa (it began on 1 Azar, say), a Gregorian one otherwise.
   */
  async todayAndMonth(botId: string, now: Date = new Date()): Promise<{ today: BotStats; month: BotStats }> {
    const { today, monthStart: first } = await this.db.run(botId, async () => {
      const bot = await this.botSelf.get(botId);
      if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
      const day = localDay(now, shopTimeZone(await this.configurations.stored(botId, 'time_zone')));
      return { today: day, monthStart: monthStart(day, calendarOf(bot.defaultLanguage)) };
    });
    const [todayStats, month] = await Promise.all([
      this.stats(botId, { from: today, to: today }, now),
      this.stats(botId, { from: first, to: today }, now),
    ]);
    return { today: todayStats, month };
  }
}
