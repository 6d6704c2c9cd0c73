import { Injectable } from '@nestjs/common';
import { SentNotificationEntity } from '../entities/sent-notification.entity';
import { TenantDb } from '../tenant-context';

/** A message that must reach its user once, keyed by `dedupeKey` (unique per bot). */
export interface SentNotificationRecord {
  userId: string;
  subscriptionId: string | null;
  kind: string;
  dedupeKey: string;
}

/** The queries on `sent_notifications` that the generic tenant repository cannot express. */
@Injectable()
export class SentNotificationRepository {
  constructor(private readonly db: TenantDb) {}

  /** Whether the message with this key has gone out already. */
  async wasSent(botId: string, dedupeKey: string): Promise<boolean> {
    return this.db.within(
      botId,
      async (m) => (await m.count(SentNotificationEntity, { where: { botId, dedupeKey } })) > 0,
    );
  }

  /**
   * Claims the message before it is sent: true for exactly one caller however many workers race (the unique
   * key decides), false when it was claimed or sent already. A send that then fails gives it back with `release`.
   */
  async claim(botId: string, n: SentNotificationRecord): Promise<boolean> {
    const rows: unknown[] = await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO sent_notifications (bot_id, user_id, subscription_id, kind, dedupe_key) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (bot_id, dedupe_key) DO NOTHING RETURNING id`,
        [botId, n.userId, n.subscriptionId, n.kind, n.dedupeKey],
      ),
    );
    return rows.length === 1;
  }

  /** Gives a claim back (its send failed), so a later run sends it. */
  async release(botId: string, dedupeKey: string): Promise<void> {
    await this.db.within(botId, (m) => m.delete(SentNotificationEntity, { botId, dedupeKey }));
  }

  /** Records that the message went out; a second record with the same key is ignored. */
  async recordOnce(botId: string, n: SentNotificationRecord): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO sent_notifications (bot_id, user_id, subscription_id, kind, dedupe_key) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (bot_id, dedupe_key) DO NOTHING`,
        [botId, n.userId, n.subscriptionId, n.kind, n.dedupeKey],
      ),
    );
  }
}
