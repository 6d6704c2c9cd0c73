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
