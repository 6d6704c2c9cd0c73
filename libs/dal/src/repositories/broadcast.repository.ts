import { Injectable } from '@nestjs/common';
import { BroadcastDeliveryStatus } from '../entities/broadcast-delivery.entity';
import { TenantDb } from '../tenant-context';

/** Who a broadcast goes to: a segment of the bot's users, optionally only those speaking one language. */
export interface AudienceQuery {
  segment: 'all' | 'active' | 'expired' | 'never_bought';
  language?: 'fa' | 'en' | 'ru';
  /** The bot's default language: a user without a language of their own speaks it. */
  defaultLanguage: 'fa' | 'en' | 'ru';
}

/** A delivery claimed for sending: the user and their chat. */
export interface ClaimedDelivery {
  userId: string;
  telegramId: number;
}

export type DeliveryOutcome = { userId: string; status: 'sent' | 'failed' | 'blocked'; error?: string | null };

export interface DeliveryCounts {
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  blocked: number;
  interrupted: number;
  /** Sent in the last `windowS` seconds (the rate). */
  recent: number;
}

const SEGMENTS: Record<AudienceQuery['segment'], string> = {
  all: 'true',
  active: `EXISTS (SELECT 1 FROM subscriptions s WHERE s.bot_id = u.bot_id AND s.user_id = u.id AND s.status = 'active')`,
  expired: `EXISTS (SELECT 1 FROM subscriptions s WHERE s.bot_id = u.bot_id AND s.user_id = u.id
                      AND s.status IN ('expired','disabled'))
            AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.bot_id = u.bot_id AND s.user_id = u.id
                      AND s.status IN ('active','pending'))`,
  never_bought: `NOT EXISTS (SELECT 1 FROM orders o WHERE o.bot_id = u.bot_id AND o.user_id = u.id
                      AND o.paid_at IS NOT NULL)`,
};

/** The users a broadcast reaches: active in the bot, not known to have blocked it, in the segment. */
function audienceWhere(a: AudienceQuery, first: number): { sql: string; params: unknown[] } {
  const parts = [`u.bot_id = $1`, `u.status = 'active'`, `u.bot_blocked_at IS NULL`, SEGMENTS[a.segment]];
  const params: unknown[] = [];
  if (a.language) {
    parts.push(`COALESCE(u.language, $${first + 1}) = $${first}`);
    params.push(a.language, a.defaultLanguage);
  }
  return { sql: parts.join(' AND '), params };
}

/**
 * The statements of broadcasts (`broadcasts`, `broadcast_deliveries`) the generic repository cannot express:
 * the audience, claiming deliveries before a send, recording outcomes, the crash rule and progress.
 */
@Injectable()
export class BroadcastRepository {
  constructor(private readonly db: TenantDb) {}

  /** How many users the audience holds now. */
  async countAudience(botId: string, a: AudienceQuery): Promise<number> {
    const w = audienceWhere(a, 2);
    const rows: { n: number }[] = await this.db.within(botId, (m) =>
      m.query(`SELECT count(*)::int AS n FROM users u WHERE ${w.sql}`, [botId, ...w.params]),
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Starts a previewed draft: it becomes `running` and its audience is written as `pending` deliveries, in the
   * caller's transaction. False (nothing written) when it is not a previewed draft any more.
   */
  async start(botId: string, broadcastId: string, a: AudienceQuery): Promise<{ started: boolean; total: number }> {
    return this.db.within(botId, async (m) => {
      const started: { id: string }[] = await m.query(
        `WITH s AS (
           UPDATE broadcasts SET status = 'running', started_at = now(), updated_at = now()
            WHERE bot_id = $1 AND id = $2 AND status = 'draft' AND previewed_at IS NOT NULL
           RETURNING id
         ) SELECT id FROM s`,
        [botId, broadcastId],
      );
      if (started.length === 0) return { started: false, total: 0 };
      const w = audienceWhere(a, 3);
      const inserted: { n: number }[] = await m.query(
        `WITH d AS (
           INSERT INTO broadcast_deliveries (bot_id, broadcast_id, user_id)
           SELECT $1, $2, u.id FROM users u WHERE ${w.sql}
           ON CONFLICT DO NOTHING RETURNING 1
         ) SELECT count(*)::int AS n FROM d`,
        [botId, broadcastId, ...w.params],
      );
      const total = inserted[0]?.n ?? 0;
      await m.query(`UPDATE broadcasts SET total = $3 WHERE bot_id = $1 AND id = $2`, [botId, broadcastId, total]);
      return { started: true, total };
    });
  }

  /**
   * Claims up to `limit` pending deliveries of a running broadcast for one run (`claimId`): they become
   * `sending`. Nothing is claimed once the broadcast is cancelled or failed. SKIP LOCKED: two runs never wait
   * on, or claim, the same rows.
   */
  async claim(botId: string, broadcastId: string, claimId: string, limit: number): Promise<ClaimedDelivery[]> {
    const rows: { user_id: string; telegram_id: string }[] = await this.db.within(botId, (m) =>
      m.query(
        `WITH picked AS (
           SELECT d.user_id FROM broadcast_deliveries d
            WHERE d.bot_id = $1 AND d.broadcast_id = $2 AND d.status = 'pending'
              AND EXISTS (SELECT 1 FROM broadcasts b WHERE b.bot_id = $1 AND b.id = $2 AND b.status = 'running')
            ORDER BY d.user_id LIMIT $4 FOR UPDATE SKIP LOCKED
         ), claimed AS (
           UPDATE broadcast_deliveries d SET status = 'sending', claim_id = $3, claimed_at = now()
             FROM picked WHERE d.bot_id = $1 AND d.broadcast_id = $2 AND d.user_id = picked.user_id
           RETURNING d.user_id
         ) SELECT c.user_id, u.telegram_id FROM claimed c JOIN users u ON u.bot_id = $1 AND u.id = c.user_id
           ORDER BY u.telegram_id`,
        [botId, broadcastId, claimId, limit],
      ),
    );
    return rows.map((r) => ({ userId: r.user_id, telegramId: Number(r.telegram_id) }));
  }

  /**
   * Writes what became of this run's claimed deliveries and adds them to the broadcast's counters. Only rows
   * still `sending` under `claimId` change (an interrupted claim stays interrupted).
   */
  async record(botId: string, broadcastId: string, claimId: string, outcomes: DeliveryOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.db.within(botId, async (m) => {
      const changed: { status: BroadcastDeliveryStatus; n: number }[] = await m.query(
        `WITH o AS (
           SELECT * FROM unnest($4::uuid[], $5::varchar[], $6::varchar[]) AS o(user_id, status, error)
         ), done AS (
           UPDATE broadcast_deliveries d
              SET status = o.status, error = o.error,
                  sent_at = CASE WHEN o.status = 'sent' THEN now() ELSE NULL END
             FROM o
            WHERE d.bot_id = $1 AND d.broadcast_id = $2 AND d.user_id = o.user_id
              AND d.status = 'sending' AND d.claim_id = $3
           RETURNING d.status
         ) SELECT status, count(*)::int AS n FROM done GROUP BY status`,
        [
          botId,
          broadcastId,
          claimId,
          outcomes.map((o) => o.userId),
          outcomes.map((o) => o.status),
          outcomes.map((o) => (o.error ? o.error.slice(0, 300) : null)),
        ],
      );
      const n = (s: BroadcastDeliveryStatus) => changed.find((c) => c.status === s)?.n ?? 0;
      await m.query(
        `UPDATE broadcasts SET sent = sent + $3, failed = failed + $4, blocked = blocked + $5, updated_at = now()
          WHERE bot_id = $1 AND id = $2`,
        [botId, broadcastId, n('sent'), n('failed'), n('blocked')],
      );
    });
  }

  /**
   * The crash rule: a delivery claimed longer than `staleMs` ago by a run that is not `exceptClaimId` belongs to
   * a run that died mid-send — it may or may not have reached the user, so it is never sent again
   * (`interrupted`, counted as failed). Returns how many.
   */
  async interruptStale(botId: string, broadcastId: string, staleMs: number, exceptClaimId: string): Promise<number> {
    return this.db.within(botId, async (m) => {
      const rows: { n: number }[] = await m.query(
        `WITH i AS (
           UPDATE broadcast_deliveries SET status = 'interrupted', error = 'the sender stopped during the send'
            WHERE bot_id = $1 AND broadcast_id = $2 AND status = 'sending'
              AND claimed_at < now() - make_interval(secs => $3::double precision / 1000)
              AND claim_id IS DISTINCT FROM $4::uuid
           RETURNING 1
         ) SELECT count(*)::int AS n FROM i`,
        [botId, broadcastId, staleMs, exceptClaimId],
      );
      const n = rows[0]?.n ?? 0;
      if (n > 0) {
        await m.query(`UPDATE broadcasts SET failed = failed + $3, updated_at = now() WHERE bot_id = $1 AND id = $2`, [
          botId,
          broadcastId,
          n,
        ]);
      }
      return n;
    });
  }

  /** Deliveries by status, and how many were sent in the last `windowS` seconds. */
  async counts(botId: string, broadcastId: string, windowS = 30): Promise<DeliveryCounts> {
    const rows: { status: BroadcastDeliveryStatus; n: number; recent: number }[] = await this.db.within(botId, (m) =>
      m.query(
        `SELECT status, count(*)::int AS n,
                count(*) FILTER (WHERE sent_at > now() - make_interval(secs => $3))::int AS recent
           FROM broadcast_deliveries WHERE bot_id = $1 AND broadcast_id = $2 GROUP BY status`,
        [botId, broadcastId, windowS],
      ),
    );
    const n = (s: BroadcastDeliveryStatus) => rows.find((r) => r.status === s)?.n ?? 0;
    return {
      pending: n('pending'),
      sending: n('sending'),
      sent: n('sent'),
      failed: n('failed'),
      blocked: n('blocked'),
      interrupted: n('interrupted'),
      recent: rows.find((r) => r.status === 'sent')?.recent ?? 0,
    };
  }

  /** A running broadcast with nothing pending or in flight becomes `completed`. True when this call did it. */
  async completeIfDone(botId: string, broadcastId: string): Promise<boolean> {
    const rows: { id: string }[] = await this.db.within(botId, (m) =>
      m.query(
        `WITH c AS (
           UPDATE broadcasts SET status = 'completed', finished_at = now(), updated_at = now()
            WHERE bot_id = $1 AND id = $2 AND status = 'running'
              AND NOT EXISTS (SELECT 1 FROM broadcast_deliveries d WHERE d.bot_id = $1 AND d.broadcast_id = $2
                                AND d.status IN ('pending','sending'))
           RETURNING id
         ) SELECT id FROM c`,
        [botId, broadcastId],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Ends a draft or a running broadcast (`cancelled`, or `failed` with a reason): what is still pending is not
   * sent. False when it had ended already.
   */
  async end(
    botId: string,
    broadcastId: string,
    status: 'cancelled' | 'failed',
    failure: string | null = null,
  ): Promise<boolean> {
    const rows: { id: string }[] = await this.db.within(botId, (m) =>
      m.query(
        `WITH e AS (
           UPDATE broadcasts SET status = $3, failure = COALESCE($4, failure), finished_at = now(), updated_at = now()
            WHERE bot_id = $1 AND id = $2 AND status IN ('draft','queued','running')
           RETURNING id
         ) SELECT id FROM e`,
        [botId, broadcastId, status, failure],
      ),
    );
    return rows.length > 0;
  }
}
