import { Injectable } from '@nestjs/common';
import { BroadcastDeliveryStatus } from '../entities/broadcast-delivery.entity';
import { BroadcastEntity } from '../entities/broadcast.entity';
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

/** A draft made from a composed message of the bot's `/broadcast` flow, under that message's key. */
export interface KeyedDraft {
  draftKey: string;
  text: string;
  photo: string | null;
  buttons: BroadcastEntity['buttons'];
  filter: Record<string, unknown>;
  photoAwaited: boolean;
  previewTelegramId: number | null;
  createdBy: string;
}

export type DeliveryOutcome = { userId: string; status: 'sent' | 'failed' | 'blocked'; error?: string | null };

export interface DeliveryCounts {
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  blocked: number;
  interrupted: number;
  skipped: number;
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
 * the audience, leasing deliveries to a run, marking each one around its send, the crash rule, the end of a
 * broadcast, the job chain and progress.
 */
@Injectable()
export class BroadcastRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * Inserts a draft carrying a `draftKey` unless this bot has one with that key already (ON CONFLICT DO NOTHING on
   * the partial unique index): its id, or null when the key was taken. A concurrent insert of the same key waits
   * for the first one's transaction and then finds it (or, if that rolled back, inserts), so exactly one is made
   * and no claim outlives an insert that did not commit.
   */
  async insertOnce(botId: string, d: KeyedDraft): Promise<string | null> {
    const rows: { id: string }[] = await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO broadcasts (bot_id, draft_key, text, photo, buttons, filter, status, photo_awaited,
                                 preview_telegram_id, created_by)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, 'draft', $7, $8, $9)
         ON CONFLICT (bot_id, draft_key) WHERE draft_key IS NOT NULL DO NOTHING
         RETURNING id`,
        [
          botId,
          d.draftKey,
          d.text,
          d.photo,
          JSON.stringify(d.buttons),
          JSON.stringify(d.filter),
          d.photoAwaited,
          d.previewTelegramId,
          d.createdBy,
        ],
      ),
    );
    return rows[0]?.id ?? null;
  }

  /** The broadcast made from the draft `draftKey` (see `insertOnce`), null when none. */
  async findByDraftKey(botId: string, draftKey: string): Promise<BroadcastEntity | null> {
    return this.db.within(botId, (m) => m.findOne(BroadcastEntity, { where: { botId, draftKey } }));
  }

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
   * Leases up to `limit` pending deliveries of a running broadcast to one run (`claimId`): they stay `pending`
   * and only that run may mark them `sending` (`step`). A lease older than `leaseMs` belonged to a run that died
   * or stalled and passes to this one. Nothing is leased once the broadcast ended. Touches the broadcast's
   * `updated_at` (its progress, which the sweep reads) first, so the broadcast row is locked before delivery
   * rows as `end` does; SKIP LOCKED: two runs never wait on, or lease, the same rows. `after` (a user id) leases
   * only rows past it, in the order leases are taken: a run going on from its last lease does not walk again
   * over the rows it already had (sent, their index entries dead until a vacuum).
   */
  async claim(
    botId: string,
    broadcastId: string,
    claimId: string,
    limit: number,
    leaseMs: number,
    after?: string,
  ): Promise<ClaimedDelivery[]> {
    return this.db.within(botId, async (m) => {
      const running: unknown[] = await m.query(
        `WITH r AS (
           UPDATE broadcasts SET updated_at = now() WHERE bot_id = $1 AND id = $2 AND status = 'running' RETURNING id
         ) SELECT id FROM r`,
        [botId, broadcastId],
      );
      if (running.length === 0) return [];
      const rows: { user_id: string; telegram_id: string }[] = await m.query(
        `WITH picked AS (
           SELECT d.user_id FROM broadcast_deliveries d
            WHERE d.bot_id = $1 AND d.broadcast_id = $2 AND d.status = 'pending'
              AND ($6::uuid IS NULL OR d.user_id > $6::uuid)
              AND (d.claim_id IS NULL
                   OR (d.claim_id <> $3 AND d.claimed_at < now() - make_interval(secs => $5::double precision / 1000)))
            ORDER BY d.user_id LIMIT $4 FOR UPDATE SKIP LOCKED
         ), leased AS (
           UPDATE broadcast_deliveries d SET claim_id = $3, claimed_at = now()
            WHERE d.bot_id = $1 AND d.broadcast_id = $2 AND d.user_id = ANY(ARRAY(SELECT user_id FROM picked))
           RETURNING d.user_id
         ) SELECT u.id AS user_id, u.telegram_id FROM users u
            WHERE u.bot_id = $1 AND u.id = ANY(ARRAY(SELECT user_id FROM leased))
            ORDER BY u.telegram_id`,
        [botId, broadcastId, claimId, limit, leaseMs, after ?? null],
      );
      return rows.map((r) => ({ userId: r.user_id, telegramId: Number(r.telegram_id) }));
    });
  }

  /**
   * One step of a run, in one statement: writes the outcomes of the deliveries it just sent (`done`, still this
   * run's `sending` — or `interrupted` by a takeover that thought the run dead: the run knows better) and marks
   * the next few (`next`, still `pending` under this run's lease) `sending` just before their Telegram calls.
   * Returns those of `next` it marked: the others are not this run's to send any more (the lease passed to
   * another run, or the broadcast ended). Rows are locked in user order, as `end` locks them.
   */
  async step(
    botId: string,
    broadcastId: string,
    claimId: string,
    done: DeliveryOutcome[],
    next: string[],
  ): Promise<string[]> {
    if (done.length === 0 && next.length === 0) return [];
    const rows: { user_id: string }[] = await this.db.within(botId, (m) =>
      m.query(
        `WITH o AS (
           SELECT * FROM unnest($4::uuid[], $5::varchar[], $6::varchar[]) AS o(user_id, status, error)
         ), locked AS (
           SELECT user_id FROM broadcast_deliveries
            WHERE bot_id = $1 AND broadcast_id = $2 AND claim_id = $3 AND user_id = ANY($4::uuid[] || $7::uuid[])
              AND ((user_id = ANY($4::uuid[]) AND status IN ('sending','interrupted'))
                   OR (user_id = ANY($7::uuid[]) AND status = 'pending'))
            ORDER BY user_id FOR UPDATE
         ), changed AS (
           UPDATE broadcast_deliveries d
              SET status = COALESCE(o.status, 'sending'),
                  error = o.error,
                  sent_at = CASE WHEN o.status = 'sent' THEN now() ELSE d.sent_at END,
                  claimed_at = CASE WHEN o.user_id IS NULL THEN now() ELSE d.claimed_at END
             FROM locked LEFT JOIN o ON o.user_id = locked.user_id
            WHERE d.bot_id = $1 AND d.broadcast_id = $2 AND d.user_id = ANY(ARRAY(SELECT user_id FROM locked))
              AND d.user_id = locked.user_id
           RETURNING d.user_id, o.user_id IS NULL AS marked
         ) SELECT user_id FROM changed WHERE marked`,
        [
          botId,
          broadcastId,
          claimId,
          done.map((o) => o.userId),
          done.map((o) => o.status),
          done.map((o) => (o.error ? o.error.slice(0, 300) : null)),
          next,
        ],
      ),
    );
    return rows.map((r) => r.user_id);
  }

  /**
   * Gives deliveries this run marked `sending` but never sent (`userIds`) back to its lease as `pending`: they
   * were certainly not sent, so the end skips them instead of calling them `interrupted`. Returns how many.
   */
  async release(botId: string, broadcastId: string, claimId: string, userIds: string[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const rows: { n: number }[] = await this.db.within(botId, (m) =>
      m.query(
        `WITH locked AS (
           SELECT user_id FROM broadcast_deliveries
            WHERE bot_id = $1 AND broadcast_id = $2 AND claim_id = $3 AND status = 'sending'
              AND user_id = ANY($4::uuid[])
            ORDER BY user_id FOR UPDATE
         ), r AS (
           UPDATE broadcast_deliveries d SET status = 'pending'
            WHERE d.bot_id = $1 AND d.broadcast_id = $2 AND d.user_id = ANY(ARRAY(SELECT user_id FROM locked))
           RETURNING 1
         ) SELECT count(*)::int AS n FROM r`,
        [botId, broadcastId, claimId, userIds],
      ),
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * The crash rule: a delivery marked `sending` longer than `staleMs` ago by a run that is not `exceptClaimId`
   * was in flight when that run died — it may or may not have reached the user, so it is never sent again
   * (`interrupted`). At most the sends a run had in flight at once. Returns how many.
   */
  async interruptStale(botId: string, broadcastId: string, staleMs: number, exceptClaimId: string): Promise<number> {
    const rows: { n: number }[] = await this.db.within(botId, (m) =>
      m.query(
        `WITH locked AS (
           SELECT user_id FROM broadcast_deliveries
            WHERE bot_id = $1 AND broadcast_id = $2 AND status = 'sending'
              AND claimed_at < now() - make_interval(secs => $3::double precision / 1000)
              AND claim_id IS DISTINCT FROM $4::uuid
            ORDER BY user_id FOR UPDATE
         ), i AS (
           UPDATE broadcast_deliveries d SET status = 'interrupted', error = 'the sender stopped during the send'
            WHERE d.bot_id = $1 AND d.broadcast_id = $2 AND d.user_id = ANY(ARRAY(SELECT user_id FROM locked))
           RETURNING 1
         ) SELECT count(*)::int AS n FROM i`,
        [botId, broadcastId, staleMs, exceptClaimId],
      ),
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Writes the deliveries' tally into the broadcast's counters (`sent`, `failed` with the interrupted ones,
   * `blocked`, `skipped`), which the history lists; `counts` is the live view.
   */
  async refreshCounters(botId: string, broadcastId: string): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `UPDATE broadcasts b
            SET sent = c.sent, failed = c.failed, blocked = c.blocked, skipped = c.skipped
           FROM (SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent,
                        count(*) FILTER (WHERE status IN ('failed','interrupted'))::int AS failed,
                        count(*) FILTER (WHERE status = 'blocked')::int AS blocked,
                        count(*) FILTER (WHERE status = 'skipped')::int AS skipped
                   FROM broadcast_deliveries WHERE bot_id = $1 AND broadcast_id = $2) c
          WHERE b.bot_id = $1 AND b.id = $2`,
        [botId, broadcastId],
      ),
    );
  }

  /**
   * Moves the job chain of a running broadcast on from chunk `from` to `from + 1`: true for exactly one caller
   * (the run that finished chunk `from`, or the sweep re-queuing a lost chain), which then queues that job.
   */
  async advance(botId: string, broadcastId: string, from: number): Promise<boolean> {
    const rows: unknown[] = await this.db.within(botId, (m) =>
      m.query(
        `WITH a AS (
           UPDATE broadcasts SET chunk = chunk + 1, updated_at = now()
            WHERE bot_id = $1 AND id = $2 AND status = 'running' AND chunk = $3 RETURNING id
         ) SELECT id FROM a`,
        [botId, broadcastId, from],
      ),
    );
    return rows.length > 0;
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
      skipped: n('skipped'),
      recent: rows.find((r) => r.status === 'sent')?.recent ?? 0,
    };
  }

  /** A running broadcast with nothing pending or in flight becomes `completed`. True when this call did it. */
  /**
   * Refreshes broadcast_deliveries' statistics (ANALYZE, through the owner's botfleet_analyze_broadcast_deliveries):
   * the planner then knows how many deliveries a new broadcast has and finds them by key. Without it, a broadcast
   * started since the last ANALYZE counts as about one row, and every step scanned all its deliveries.
   */
  async analyzeDeliveries(botId: string): Promise<void> {
    await this.db.within(botId, (m) => m.query(`SELECT botfleet_analyze_broadcast_deliveries()`));
  }

  async completeIfDone(botId: string, broadcastId: string): Promise<boolean> {
    return this.db.within(botId, async (m) => {
      const rows: { id: string }[] = await m.query(
        `WITH c AS (
           UPDATE broadcasts SET status = 'completed', finished_at = now(), updated_at = now()
            WHERE bot_id = $1 AND id = $2 AND status = 'running'
              -- Two probes, each on its partial index (pending, sending): one IN would walk every delivery.
              AND NOT EXISTS (SELECT 1 FROM broadcast_deliveries d WHERE d.bot_id = $1 AND d.broadcast_id = $2
                                AND d.status = 'pending')
              AND NOT EXISTS (SELECT 1 FROM broadcast_deliveries d WHERE d.bot_id = $1 AND d.broadcast_id = $2
                                AND d.status = 'sending')
           RETURNING id
         ) SELECT id FROM c`,
        [botId, broadcastId],
      );
      if (rows.length > 0) await this.refreshCounters(botId, broadcastId);
      return rows.length > 0;
    });
  }

  /** The picture uploaded for a draft at `revision` (its bytes and type); null when it has none or moved on. */
  async photoUpload(
    botId: string,
    broadcastId: string,
    revision: number,
  ): Promise<{ data: Buffer; contentType: string } | null> {
    const rows: { data: Buffer; type: string }[] = await this.db.within(botId, (m) =>
      m.query(
        `SELECT photo_upload AS data, photo_upload_type AS type FROM broadcasts
          WHERE bot_id = $1 AND id = $2 AND status = 'draft' AND revision = $3 AND photo_upload IS NOT NULL`,
        [botId, broadcastId, revision],
      ),
    );
    return rows[0] ? { data: rows[0].data, contentType: rows[0].type } : null;
  }

  /**
   * Drops the uploaded picture bytes of a broadcast that will never send them: a draft untouched for longer than
   * `maxAgeMs` (it then waits for a picture again, with `reason` as its failure, and its revision moves on so no
   * preview of the earlier one counts), or one that has its file_id already or is no draft. False when it holds no
   * such bytes (any more).
   */
  async dropAbandonedPhoto(botId: string, broadcastId: string, maxAgeMs: number, reason: string): Promise<boolean> {
    const rows: unknown[] = await this.db.within(botId, (m) =>
      m.query(
        // A draft left without any picture waits for one: the right-hand sides read the row as it was.
        `WITH d AS (
           UPDATE broadcasts
              SET photo_upload = NULL, photo_upload_type = NULL, updated_at = now(),
                  photo_awaited = photo_awaited OR (status = 'draft' AND photo IS NULL),
                  failure = CASE WHEN status = 'draft' AND photo IS NULL THEN $4 ELSE failure END,
                  previewed_at = CASE WHEN status = 'draft' AND photo IS NULL THEN NULL ELSE previewed_at END,
                  revision = CASE WHEN status = 'draft' AND photo IS NULL THEN revision + 1 ELSE revision END
            WHERE bot_id = $1 AND id = $2 AND photo_upload_type IS NOT NULL
              AND (status <> 'draft' OR photo IS NOT NULL
                   OR updated_at < now() - make_interval(secs => $3::double precision / 1000))
           RETURNING id
         ) SELECT id FROM d`,
        [botId, broadcastId, maxAgeMs, reason.slice(0, 300)],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Ends as `failed` (with `reason`) a draft that has waited longer than `maxAgeMs` for the picture it was saved to
   * receive (`photo_awaited`, saved with photoUploadFollows, or left without one by the photo sweep): only while it is
   * still a draft, still waiting and untouched for that long. False when it is not such a draft (any more).
   */
  async endAwaitingPhoto(botId: string, broadcastId: string, maxAgeMs: number, reason: string): Promise<boolean> {
    const rows: unknown[] = await this.db.within(botId, (m) =>
      m.query(
        `WITH e AS (
           UPDATE broadcasts
              SET status = 'failed', failure = $4, photo_awaited = false, finished_at = now(), updated_at = now()
            WHERE bot_id = $1 AND id = $2 AND status = 'draft' AND photo_awaited AND photo_upload_type IS NULL
              AND updated_at < now() - make_interval(secs => $3::double precision / 1000)
           RETURNING id
         ) SELECT id FROM e`,
        [botId, broadcastId, maxAgeMs, reason.slice(0, 300)],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Ends a draft or a running broadcast (`cancelled`, or `failed` with a reason) and closes its deliveries:
   * pending ones are `skipped` (never sent), one being sent right now is `interrupted` (it may still arrive;
   * its run, if alive, records what became of it). A picture still waiting for its preview is dropped. False
   * when it had ended already.
   */
  async end(
    botId: string,
    broadcastId: string,
    status: 'cancelled' | 'failed',
    failure: string | null = null,
  ): Promise<boolean> {
    return this.db.within(botId, async (m) => {
      const rows: { id: string }[] = await m.query(
        `WITH e AS (
           UPDATE broadcasts SET status = $3, failure = COALESCE($4, failure), finished_at = now(), updated_at = now(),
                  photo_upload = NULL, photo_upload_type = NULL
            WHERE bot_id = $1 AND id = $2 AND status IN ('draft','queued','running')
           RETURNING id
         ) SELECT id FROM e`,
        [botId, broadcastId, status, failure],
      );
      if (rows.length === 0) return false;
      await m.query(
        `WITH locked AS (
           SELECT user_id FROM broadcast_deliveries
            WHERE bot_id = $1 AND broadcast_id = $2 AND status IN ('pending','sending')
            ORDER BY user_id FOR UPDATE
         )
         UPDATE broadcast_deliveries d
            SET status = CASE WHEN d.status = 'pending' THEN 'skipped' ELSE 'interrupted' END,
                error = CASE WHEN d.status = 'pending' THEN $3 ELSE 'in flight when the broadcast ended' END
          WHERE d.bot_id = $1 AND d.broadcast_id = $2 AND d.user_id = ANY(ARRAY(SELECT user_id FROM locked))`,
        [botId, broadcastId, `not sent: the broadcast ${status === 'cancelled' ? 'was cancelled' : 'failed'}`],
      );
      await this.refreshCounters(botId, broadcastId);
      return true;
    });
  }
}
