import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, Page, pageOf, pageOffset } from '@botfleet/common';
import {
  OperatorConsoleQueries,
  PeriodStats,
  PlatformStats,
  PlatformStatsQueries,
  TenantCardRow,
  TenantListRow,
} from '@botfleet/platform';

export type TenantCard = TenantCardRow;
export type TenantListItem = TenantListRow;
export type { PeriodStats, PlatformStats };

/** The periods the operator's figures are asked for: today (since midnight UTC), the last 7 and 30 days. */
export type StatsPeriod = 'today' | '7d' | '30d';
export const STATS_PERIODS: readonly StatsPeriod[] = ['today', '7d', '30d'];

const DAY_MS = 24 * 60 * 60 * 1000;

export function periodStart(period: StatsPeriod, now = new Date()): Date {
  if (period === 'today') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return new Date(now.getTime() - (period === '7d' ? 7 : 30) * DAY_MS);
}

/**
 * What the operator reads about tenants in the master bot (the REST admin reads the same tables through
 * BotAdminService and PlatformStatsQueries): the tenants list with search, a tenant's card, the platform's
 * totals and the figures of a period.
 */
@Injectable()
export class OperatorConsoleService {
  constructor(
    private readonly queries: OperatorConsoleQueries,
    private readonly totals: PlatformStatsQueries,
  ) {}

  async tenants(page: number, pageSize: number, search?: string): Promise<Page<TenantListItem>> {
    const [items, total] = await this.queries.tenants({ skip: pageOffset(page, pageSize), take: pageSize, search });
    return pageOf(items, total, page, pageSize);
  }

  async tenantCard(botId: string): Promise<TenantCard> {
    const card = await this.queries.tenantCard(botId);
    if (!card) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
    return card;
  }

  platformTotals(): Promise<PlatformStats> {
    return this.totals.stats();
  }

  periodStats(period: StatsPeriod, now = new Date()): Promise<PeriodStats> {
    return this.queries.periodStats(periodStart(period, now));
  }
}
