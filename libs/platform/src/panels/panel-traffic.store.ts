import { Injectable } from '@nestjs/common';
import { MAX_COUNTER } from '@botfleet/common';
import { PlatformDb } from '../platform-db';

/** One subscription whose usage a traffic sync reads (provisioning's TrafficTarget). */
export interface TrafficTarget {
  botId: string;
  subscriptionId: string;
  panelUsername: string;
}

/** What a panel said one subscription has used (provisioning's UsageReading). */
export interface UsageReading {
  botId: string;
  subscriptionId: string;
  usedBytes: number;
}

/** A subscription counts against its panel's capacity from the moment it claims it until it is disabled. */
const LOADED_STATES = `('pending', 'active', 'expired')`;

/**
 * The cross-bot side of the traffic sync (platform path): which subscriptions of every bot live on a
 * panel, and writing their usage and each bot's `traffic_consumed_bytes` back. Bound to provisioning's `TRAFFIC_STORE` port in the worker.
 */
@Injectable()
export class PanelTrafficStore {
  constructor(private readonly platform: PlatformDb) {}

  async panelsToSync(panelId?: string): Promise<string[]> {
    const rows: { panel_id: string }[] = await this.platform.manager.query(
      `SELECT DISTINCT s.panel_id FROM subscriptions s JOIN bots b ON b.id = s.bot_id
        WHERE s.status = 'active' AND s.panel_id IS NOT NULL AND s.panel_username IS NOT NULL
          AND b.status <> 'deleted' AND ($1::uuid IS NULL OR s.panel_id = $1)
        ORDER BY s.panel_id`,
      [panelId ?? null],
    );
    return rows.map((r) => r.panel_id);
  }

  async activeSubscriptions(panelId: string): Promise<TrafficTarget[]> {
    const rows: { bot_id: string; id: string; panel_username: string }[] = await this.platform.manager.query(
      `SELECT s.bot_id, s.id, s.panel_username FROM subscriptions s JOIN bots b ON b.id = s.bot_id
        WHERE s.panel_id = $1 AND s.status = 'active' AND s.panel_username IS NOT NULL AND b.status <> 'deleted'
        ORDER BY s.last_synced_at NULLS FIRST, s.id`,
      [panelId],
    );
    return rows.map((r) => ({ botId: r.bot_id, subscriptionId: r.id, panelUsername: r.panel_username }));
  }

  async saveUsage(readings: UsageReading[]): Promise<void> {
    if (!readings.length) return;
    const botIds = [...new Set(readings.map((r) => r.botId))];
    await this.platform.transaction(async (m) => {
      await m.query(
        `UPDATE subscriptions s SET traffic_used_bytes = v.used, last_synced_at = now()
           FROM (SELECT unnest($1::uuid[]) AS bot_id, unnest($2::uuid[]) AS id, unnest($3::bigint[]) AS used) v
          WHERE s.bot_id = v.bot_id AND s.id = v.id`,
        [readings.map((r) => r.botId), readings.map((r) => r.subscriptionId), readings.map((r) => String(r.usedBytes))],
      );
      await m.query(
        // The sum saturates at 2^53 − 1 (the counter's range) instead of failing the sync past bigint.
        `UPDATE bots b SET traffic_consumed_bytes = LEAST(
            (SELECT COALESCE(SUM(s.traffic_used_bytes), 0) FROM subscriptions s WHERE s.bot_id = b.id),
            ${MAX_COUNTER})::bigint,
            updated_at = now()
          WHERE b.id = ANY($1::uuid[])`,
        [botIds],
      );
    });
  }

  async recountLoad(panelId: string): Promise<void> {
    await this.platform.manager.query(
      `UPDATE vpn_panels p SET active_users = (
          SELECT count(*) FROM subscriptions s
           WHERE s.panel_id = p.id AND s.panel_username IS NOT NULL AND s.status IN ${LOADED_STATES}
        )
        WHERE p.id = $1`,
      [panelId],
    );
  }
}
