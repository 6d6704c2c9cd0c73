import { Injectable } from '@nestjs/common';
import { SentNotificationEntity } from '../entities/sent-notification.entity';
import { TenantDb } from '../tenant-context';

/** A message that must reach its user once, keyed by `dedupeKey` (unique per bot). */
export interface SentNotificationRecord {
  /** Null for a message to no user of the bot (its owner). */
  userId: string | null;
  subscriptionId: string | null;
  kind: string;
  dedupeKey: string;
}

/**
 * A claim this attempt holds on a message (`claimLease`): `claimedAt` is the claim's own stamp, so marking it
 * done or giving it back touches this claim only, never one another attempt took over since.
 */
export interface NotificationLease {
  dedupeKey: string;
  claimedAt: string;
}

/** What `claimLease` found: this attempt's claim, a message already sent, or another attempt's claim in flight. */
export type LeaseOutcome = { lease: NotificationLease } | 'done' | 'busy';

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

  /**
   * Claims a message before it is sent, leaving the claim undone until `markDone`: exactly one caller gets the
   * lease however many race; a claim left undone for longer than `staleAfterMs` (its attempt died between
   * the claim and the send, or could not give it back) is taken over. `done` when the message went out,
   * `busy` while another attempt's fresh claim holds it.
   */
  async claimLease(botId: string, n: SentNotificationRecord, staleAfterMs: number): Promise<LeaseOutcome> {
    const rows: { claimed_at: string }[] = await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO sent_notifications (bot_id, user_id, subscription_id, kind, dedupe_key, claimed_at, done)
         VALUES ($1, $2, $3, $4, $5, clock_timestamp(), false)
         ON CONFLICT (bot_id, dedupe_key) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
           WHERE NOT sent_notifications.done
             AND sent_notifications.claimed_at < EXCLUDED.claimed_at - make_interval(secs => $6::float8 / 1000)
         RETURNING claimed_at::text AS claimed_at`,
        [botId, n.userId, n.subscriptionId, n.kind, n.dedupeKey, staleAfterMs],
      ),
    );
    if (rows.length === 1) return { lease: { dedupeKey: n.dedupeKey, claimedAt: rows[0].claimed_at } };
    const held = await this.db.within(botId, (m) =>
      m.findOne(SentNotificationEntity, { where: { botId, dedupeKey: n.dedupeKey }, select: { done: true } }),
    );
    // No row: its claim was given back since; the caller's retry takes it.
    return held?.done ? 'done' : 'busy';
  }

  /** The leased message went out: false when this claim was taken over meanwhile (it was stale). */
  async markDone(botId: string, lease: NotificationLease): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.db.within(botId, (m) =>
      m.query(
        `UPDATE sent_notifications SET done = true
          WHERE bot_id = $1 AND dedupe_key = $2 AND claimed_at = $3::timestamptz AND NOT done`,
        [botId, lease.dedupeKey, lease.claimedAt],
      ),
    );
    return affected === 1;
  }

  /**
   * Undoes `markDone` of this claim: a message recorded as sent before its send (so that no other attempt sends
   * it meanwhile) that certainly did not go out, for a later attempt to send. False when it was not this claim's.
   */
  async reopen(botId: string, lease: NotificationLease): Promise<boolean> {
    const [, affected]: [unknown[], number] = await this.db.within(botId, (m) =>
      m.query(
        `DELETE FROM sent_notifications WHERE bot_id = $1 AND dedupe_key = $2 AND claimed_at = $3::timestamptz AND done`,
        [botId, lease.dedupeKey, lease.claimedAt],
      ),
    );
    return affected === 1;
  }

  /** Gives a leased claim back (its send or its record failed), so a later attempt sends it. */
  async releaseLease(botId: string, lease: NotificationLease): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `DELETE FROM sent_notifications WHERE bot_id = $1 AND dedupe_key = $2 AND claimed_at = $3::timestamptz AND NOT done`,
        [botId, lease.dedupeKey, lease.claimedAt],
      ),
    );
  }
}
