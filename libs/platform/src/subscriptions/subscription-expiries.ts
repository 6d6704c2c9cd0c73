import { Injectable } from '@nestjs/common';
import { PlatformDb } from '../platform-db';

/**
 * Subscriptions past their end across every bot (platform path): the worker's expiry job asks here, then
 * marks each one `expired` in its bot's own tenant transaction.
 */
@Injectable()
export class SubscriptionExpiries {
  constructor(private readonly platform: PlatformDb) {}

  /** Active subscriptions whose `expires_at` is at or before `now`, the longest overdue first. */
  async due(limit: number, now = new Date()): Promise<{ botId: string; subscriptionId: string }[]> {
    const rows: { bot_id: string; id: string }[] = await this.platform.manager.query(
      `SELECT bot_id, id FROM subscriptions
        WHERE status = 'active' AND expires_at <= $1
        ORDER BY expires_at
        LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ botId: r.bot_id, subscriptionId: r.id }));
  }
}
