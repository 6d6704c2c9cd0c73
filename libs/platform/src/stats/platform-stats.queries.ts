import { Injectable } from '@nestjs/common';
import { clampCounter } from '@botfleet/common';
import { PlatformDb } from '../platform-db';
import { SOLD_ORDER_STATUSES } from '../bots/bot-directory';

export interface PlatformStats {
  /** The tenants' bots (deleted ones too); the master bot, the platform's own, is no shop. */
  bots: { total: number; byStatus: Record<string, number> };
  users: { total: number; blocked: number };
  subscriptions: { active: number };
  /** Money per currency (minor units): sales are paid orders not refunded. */
  sales: { currency: string; orders: number; revenueMinor: number }[];
  wallets: { currency: string; balanceMinor: number; heldMinor: number }[];
  panels: { total: number; active: number };
  invites: { active: number; used: number };
  generatedAt: string;
}

/** A tenant's customer: the people who write to the master bot (operators, owners onboarding) are nobody's. */
export const IS_CUSTOMER = `NOT EXISTS (SELECT 1 FROM bots m WHERE m.id = u.bot_id AND m.is_master)`;

/** Platform-wide figures for the operator, from the platform path (every tenant). */
@Injectable()
export class PlatformStatsQueries {
  constructor(private readonly platform: PlatformDb) {}

  async stats(): Promise<PlatformStats> {
    const q = <T>(sql: string): Promise<T[]> => this.platform.manager.query(sql);
    const [byStatus, users, subs, sales, wallets, panels, invites] = await Promise.all([
      q<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM bots WHERE NOT is_master GROUP BY status`),
      q<{ total: string; blocked: string }>(
        `SELECT count(*) AS total, count(*) FILTER (WHERE u.status = 'blocked') AS blocked FROM users u
          WHERE ${IS_CUSTOMER}`,
      ),
      q<{ n: string }>(`SELECT count(*) AS n FROM subscriptions WHERE status = 'active'`),
      q<{ currency: string; n: string; revenue: string }>(
        `SELECT currency, count(*) AS n, coalesce(sum(amount_minor), 0) AS revenue FROM orders
         WHERE status IN ${SOLD_ORDER_STATUSES} GROUP BY currency ORDER BY currency`,
      ),
      q<{ currency: string; balance: string; held: string }>(
        `SELECT currency, coalesce(sum(wallet_balance_minor), 0) AS balance, coalesce(sum(wallet_held_minor), 0) AS held
         FROM bots WHERE status <> 'deleted' AND NOT is_master GROUP BY currency ORDER BY currency`,
      ),
      q<{ total: string; active: string }>(
        `SELECT count(*) AS total, count(*) FILTER (WHERE is_active) AS active FROM vpn_panels`,
      ),
      q<{ active: string; used: string }>(
        `SELECT count(*) FILTER (WHERE used_at IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())) AS active,
                count(*) FILTER (WHERE used_at IS NOT NULL) AS used FROM invites`,
      ),
    ]);
    const statusMap = Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)]));
    return {
      bots: { total: byStatus.reduce((s, r) => s + Number(r.n), 0), byStatus: statusMap },
      users: { total: Number(users[0]?.total ?? 0), blocked: Number(users[0]?.blocked ?? 0) },
      subscriptions: { active: Number(subs[0]?.n ?? 0) },
      sales: sales.map((r) => ({
        currency: r.currency,
        orders: Number(r.n),
        revenueMinor: clampCounter(Number(r.revenue)),
      })),
      wallets: wallets.map((r) => ({
        currency: r.currency,
        balanceMinor: clampCounter(Number(r.balance)),
        heldMinor: clampCounter(Number(r.held)),
      })),
      panels: { total: Number(panels[0]?.total ?? 0), active: Number(panels[0]?.active ?? 0) },
      invites: { active: Number(invites[0]?.active ?? 0), used: Number(invites[0]?.used ?? 0) },
      generatedAt: new Date().toISOString(),
    };
  }
}
