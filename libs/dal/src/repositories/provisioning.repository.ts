import { Injectable } from '@nestjs/common';
import { isUuid } from '@botfleet/common';
import { SubscriptionEntity } from '../entities/subscription.entity';
import { TenantDb } from '../tenant-context';

/** The provisioning steps' writes on `subscriptions` and `subscription_events`. */
@Injectable()
export class ProvisioningRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * Gives a pending subscription its panel and panel username, unless a concurrent job did so first.
   * Returns whether this call won the race.
   */
  async claimPanel(botId: string, subscriptionId: string, panelId: string, panelUsername: string): Promise<boolean> {
    const rows: unknown[] = await this.db.within(botId, (m) =>
      m.query(
        `WITH claimed AS (
           UPDATE subscriptions SET panel_id = $1, panel_username = $2, updated_at = now()
            WHERE bot_id = $3 AND id = $4 AND status = 'pending' AND (panel_id IS NULL OR panel_username IS NULL)
            RETURNING id
         ) SELECT id FROM claimed`,
        [panelId, panelUsername, botId, subscriptionId],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Locks the subscription row for the rest of the current transaction, waiting at most `lockTimeout`
   * (a PostgreSQL interval literal such as `'5s'`; the wait limit also holds for the rest of the
   * transaction). null when there is no such subscription.
   */
  async lockSubscription(
    botId: string,
    subscriptionId: string,
    lockTimeout: string,
  ): Promise<SubscriptionEntity | null> {
    if (!/^\d+(ms|s|min)?$/.test(lockTimeout)) throw new Error(`Invalid lock timeout ${lockTimeout}`);
    return this.db.within(botId, async (m) => {
      await m.query(`SET LOCAL lock_timeout = '${lockTimeout}'`);
      if (!isUuid(subscriptionId)) return null;
      return m.findOne(SubscriptionEntity, {
        where: { id: subscriptionId, botId },
        lock: { mode: 'pessimistic_write' },
      });
    });
  }

  /**
   * An active subscription whose end is at or before `now` becomes `expired` (a renewal that moved the end
   * first wins: the condition no longer holds). Returns the end it expired at, or null when nothing changed.
   */
  async markExpired(botId: string, subscriptionId: string, now: Date): Promise<Date | null> {
    const rows: { expires_at: Date }[] = await this.db.within(botId, (m) =>
      m.query(
        `WITH expired AS (
           UPDATE subscriptions SET status = 'expired', updated_at = now()
            WHERE bot_id = $1 AND id = $2 AND status = 'active' AND expires_at <= $3
            RETURNING expires_at
         ) SELECT expires_at FROM expired`,
        [botId, subscriptionId, now],
      ),
    );
    return rows[0]?.expires_at ?? null;
  }

  /** Appends an event to the subscription's history; a `dedupeKey` already recorded makes it a no-op. */
  async recordEvent(
    botId: string,
    subscriptionId: string,
    type: string,
    dedupeKey: string | null,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO subscription_events (bot_id, subscription_id, type, data, dedupe_key) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (bot_id, dedupe_key) DO NOTHING`,
        [botId, subscriptionId, type, JSON.stringify(data), dedupeKey],
      ),
    );
  }
}
