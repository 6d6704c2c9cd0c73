import { Injectable } from '@nestjs/common';
import { PlatformDb } from '../platform-db';

/** How far ahead of its end a subscription is looked at: the largest reminder threshold a tenant may set. */
export const RETENTION_LOOKAHEAD_DAYS = 30;
/** How long after its end an ended subscription is still looked at (the "expired" reminder). */
export const RETENTION_LOOKBACK_DAYS = 7;
/** The lowest traffic percent a tenant may be reminded at (configuration `reminders.trafficPercents`). */
export const RETENTION_MIN_TRAFFIC_PERCENT = 50;

/**
 * Subscriptions that may owe a reminder or an auto-renewal (platform path, every bot), for the worker's growth
 * scan, which then decides each one in its own bot's tenant transaction: active ones ending within
 * RETENTION_LOOKAHEAD_DAYS, ones that ended in the last RETENTION_LOOKBACK_DAYS, active ones past half their traffic.
 * Paged by id (keyset), so a long run never rereads.
 */
@Injectable()
export class RetentionCandidates {
  constructor(private readonly platform: PlatformDb) {}

  async page(now: Date, limit: number, afterId?: string): Promise<{ botId: string; subscriptionId: string }[]> {
    const rows: { bot_id: string; id: string }[] = await this.platform.manager.query(
      `SELECT bot_id, id FROM subscriptions
        WHERE ($3::uuid IS NULL OR id > $3::uuid)
          AND expires_at IS NOT NULL
          AND (
            (status = 'active' AND expires_at <= $1::timestamptz + make_interval(days => $4))
            OR (status IN ('active', 'expired') AND expires_at <= $1::timestamptz
                AND expires_at > $1::timestamptz - make_interval(days => $5))
            OR (status = 'active' AND traffic_limit_bytes > 0
                AND traffic_used_bytes::numeric * 100 >= traffic_limit_bytes::numeric * $6)
          )
        ORDER BY id
        LIMIT $2`,
      [now, limit, afterId ?? null, RETENTION_LOOKAHEAD_DAYS, RETENTION_LOOKBACK_DAYS, RETENTION_MIN_TRAFFIC_PERCENT],
    );
    return rows.map((r) => ({ botId: r.bot_id, subscriptionId: r.id }));
  }
}
