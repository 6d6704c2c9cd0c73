import { Injectable } from '@nestjs/common';
import { clampCounter, isUuid } from '@botfleet/common';
import { PlatformDb } from '../platform-db';
import { SOLD_ORDER_STATUSES } from '../bots/bot-directory';
import { IS_CUSTOMER } from './platform-stats.queries';

/** One tenant as the operator's master bot shows it (the master bot itself is never a tenant). */
export interface TenantCardRow {
  id: string;
  name: string;
  telegramUsername: string;
  status: string;
  ownerTelegramId: number;
  defaultLanguage: 'fa' | 'en' | 'ru';
  currency: string;
  walletBalanceMinor: number;
  walletHeldMinor: number;
  trafficSoldBytes: number;
  trafficConsumedBytes: number;
  salesCount: number;
  revenueMinor: number;
  /** The latest of a customer being seen and an order being made; null for a shop nobody used yet. */
  lastActivityAt: Date | null;
  createdAt: Date;
}

export interface TenantListRow {
  id: string;
  name: string;
  telegramUsername: string;
  status: string;
}

export interface PeriodStats {
  since: Date;
  tenants: { total: number; active: number; suspended: number; created: number };
  sales: { currency: string; orders: number; revenueMinor: number }[];
  trafficSoldBytes: number;
  newUsers: number;
}

export interface LowWalletRow {
  id: string;
  name: string;
  telegramUsername: string;
  currency: string;
  freeMinor: number;
}

export interface FailedSubscriptionRow {
  id: string;
  botId: string;
  botUsername: string;
  updatedAt: Date;
}

export interface TokenInvalidRow {
  id: string;
  name: string;
  telegramUsername: string;
  tokenHash: string;
}

const num = (v: string | number | null | undefined): number => clampCounter(Number(v ?? 0));
const TENANTS = `b.is_master = false AND b.status <> 'deleted'`;

/**
 * The operator's console reads across every tenant (platform path): the tenants list with its search, a
 * tenant's card, figures for a period, and the conditions the operator is alerted about. Also writes the
 * result of a panel's health check.
 */
@Injectable()
export class OperatorConsoleQueries {
  constructor(private readonly platform: PlatformDb) {}

  /**
   * Tenants newest first. `search`: a bot id, a Telegram id (the bot's or its owner's), an @username, or a
   * part of the name or username.
   */
  async tenants(q: { skip: number; take: number; search?: string }): Promise<[TenantListRow[], number]> {
    const params: unknown[] = [];
    let where = TENANTS;
    const s: string = q.search?.trim() ?? '';
    if (s) {
      if (isUuid(s.slice())) {
        params.push(s);
        where += ` AND b.id = $${params.length}::uuid`;
      } else if (/^\d{1,15}$/.test(s)) {
        params.push(s);
        where += ` AND (b.telegram_bot_id = $${params.length}::bigint OR b.owner_telegram_id = $${params.length}::bigint)`;
      } else {
        const term = s.replace(/^@/, '');
        params.push(`%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        where += ` AND (b.name ILIKE $${params.length} OR b.telegram_username ILIKE $${params.length})`;
      }
    }
    const count: { n: string }[] = await this.platform.manager.query(
      `SELECT count(*) AS n FROM bots b WHERE ${where}`,
      params,
    );
    const rows: { id: string; name: string; telegram_username: string; status: string }[] =
      await this.platform.manager.query(
        `SELECT b.id, b.name, b.telegram_username, b.status FROM bots b WHERE ${where}
         ORDER BY b.created_at DESC, b.id DESC OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
        [...params, q.skip, q.take],
      );
    return [
      rows.map((r) => ({ id: r.id, name: r.name, telegramUsername: r.telegram_username, status: r.status })),
      Number(count[0]?.n ?? 0),
    ];
  }

  async tenantCard(botId: string): Promise<TenantCardRow | null> {
    if (!isUuid(botId)) return null;
    const rows: Record<string, string | Date | null>[] = await this.platform.manager.query(
      `SELECT b.id, b.name, b.telegram_username, b.status, b.owner_telegram_id, b.default_language, b.currency,
              b.wallet_balance_minor, b.wallet_held_minor, b.traffic_sold_bytes, b.traffic_consumed_bytes, b.created_at,
              (SELECT count(*) FROM orders o WHERE o.bot_id = b.id AND o.status IN ${SOLD_ORDER_STATUSES}) AS sales,
              (SELECT coalesce(sum(o.amount_minor), 0) FROM orders o
                WHERE o.bot_id = b.id AND o.status IN ${SOLD_ORDER_STATUSES}) AS revenue,
              GREATEST((SELECT max(u.last_seen_at) FROM users u WHERE u.bot_id = b.id),
                       (SELECT max(o.created_at) FROM orders o WHERE o.bot_id = b.id)) AS last_activity
         FROM bots b WHERE b.id = $1 AND ${TENANTS}`,
      [botId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: String(r.id),
      name: String(r.name),
      telegramUsername: String(r.telegram_username),
      status: String(r.status),
      ownerTelegramId: Number(r.owner_telegram_id),
      defaultLanguage: r.default_language as TenantCardRow['defaultLanguage'],
      currency: String(r.currency),
      walletBalanceMinor: num(r.wallet_balance_minor as string),
      walletHeldMinor: num(r.wallet_held_minor as string),
      trafficSoldBytes: num(r.traffic_sold_bytes as string),
      trafficConsumedBytes: num(r.traffic_consumed_bytes as string),
      salesCount: num(r.sales as string),
      revenueMinor: num(r.revenue as string),
      lastActivityAt: (r.last_activity as Date | null) ?? null,
      createdAt: r.created_at as Date,
    };
  }

  /** Figures since `since`: tenants (with the ones created since), sales per currency, traffic sold, new users. */
  async periodStats(since: Date): Promise<PeriodStats> {
    const q = <T>(sql: string, params: unknown[] = []): Promise<T[]> => this.platform.manager.query(sql, params);
    const [tenants, sales, traffic, users] = await Promise.all([
      q<{ total: string; active: string; suspended: string; created: string }>(
        `SELECT count(*) AS total, count(*) FILTER (WHERE b.status = 'active') AS active,
                count(*) FILTER (WHERE b.status = 'suspended') AS suspended,
                count(*) FILTER (WHERE b.created_at >= $1) AS created
           FROM bots b WHERE ${TENANTS}`,
        [since],
      ),
      q<{ currency: string; n: string; revenue: string }>(
        `SELECT currency, count(*) AS n, coalesce(sum(amount_minor), 0) AS revenue FROM orders
          WHERE status IN ${SOLD_ORDER_STATUSES} AND coalesce(paid_at, created_at) >= $1
          GROUP BY currency ORDER BY currency`,
        [since],
      ),
      q<{ bytes: string }>(
        `SELECT coalesce(sum(traffic_bytes), 0) AS bytes FROM orders
          WHERE status IN ${SOLD_ORDER_STATUSES} AND coalesce(paid_at, created_at) >= $1`,
        [since],
      ),
      q<{ n: string }>(`SELECT count(*) AS n FROM users u WHERE u.created_at >= $1 AND ${IS_CUSTOMER}`, [since]),
    ]);
    const t = tenants[0];
    return {
      since,
      tenants: { total: num(t?.total), active: num(t?.active), suspended: num(t?.suspended), created: num(t?.created) },
      sales: sales.map((r) => ({ currency: r.currency, orders: num(r.n), revenueMinor: num(r.revenue) })),
      trafficSoldBytes: num(traffic[0]?.bytes),
      newUsers: num(users[0]?.n),
    };
  }

  /** Active tenants whose free wholesale balance (balance − held) is below `thresholdMinor`. */
  async lowWallets(thresholdMinor: number): Promise<LowWalletRow[]> {
    const rows: { id: string; name: string; telegram_username: string; currency: string; free: string }[] =
      await this.platform.manager.query(
        `SELECT b.id, b.name, b.telegram_username, b.currency, b.wallet_balance_minor - b.wallet_held_minor AS free
           FROM bots b WHERE ${TENANTS} AND b.status = 'active'
            AND b.wallet_balance_minor - b.wallet_held_minor < $1
          ORDER BY b.id LIMIT 500`,
        [thresholdMinor],
      );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      telegramUsername: r.telegram_username,
      currency: r.currency,
      freeMinor: Number(r.free),
    }));
  }

  /** Subscriptions whose provisioning failed for good since `since` (the newest first, at most `limit`). */
  async failedSubscriptions(since: Date, limit = 100): Promise<FailedSubscriptionRow[]> {
    const rows: { id: string; bot_id: string; telegram_username: string; updated_at: Date }[] =
      await this.platform.manager.query(
        `SELECT s.id, s.bot_id, b.telegram_username, s.updated_at FROM subscriptions s JOIN bots b ON b.id = s.bot_id
          WHERE s.status = 'failed' AND s.updated_at >= $1 ORDER BY s.updated_at DESC LIMIT $2`,
        [since, limit],
      );
    return rows.map((r) => ({ id: r.id, botId: r.bot_id, botUsername: r.telegram_username, updatedAt: r.updated_at }));
  }

  /** Tenants stopped because Telegram no longer accepts their token. */
  async tokenInvalidBots(): Promise<TokenInvalidRow[]> {
    const rows: { id: string; name: string; telegram_username: string; telegram_token_hash: string }[] =
      await this.platform.manager.query(
        `SELECT b.id, b.name, b.telegram_username, b.telegram_token_hash FROM bots b
          WHERE b.is_master = false AND b.status = 'token_invalid' ORDER BY b.id LIMIT 500`,
      );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      telegramUsername: r.telegram_username,
      tokenHash: r.telegram_token_hash.trim(),
    }));
  }

  /** Records a panel's health check. */
  async recordPanelHealth(panelId: string, ok: boolean): Promise<void> {
    if (!isUuid(panelId)) return;
    await this.platform.manager.query(
      `UPDATE vpn_panels SET last_health_at = now(), last_health_ok = $2 WHERE id = $1`,
      [panelId, ok],
    );
  }
}
