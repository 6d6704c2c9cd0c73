import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Broadcasts (issue 14): a draft with an optional photo and URL buttons, previewed to an admin before it may
 * start; each recipient a delivery row claimed (`sending`, with the claiming run's id and time) before the
 * send, then `sent`, `failed` or `blocked`; a claim left by a killed worker becomes `interrupted` and is never
 * sent again (at most once per user). The progress message in the admin chat is remembered to be edited.
 */
export class BroadcastDrafts1764300000400 implements MigrationInterface {
  name = 'BroadcastDrafts1764300000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE broadcasts DROP CONSTRAINT IF EXISTS broadcasts_status_check`);
    await q.query(`ALTER TABLE broadcasts ALTER COLUMN status SET DEFAULT 'draft'`);
    await q.query(`ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_status_check
      CHECK (status IN ('draft','queued','running','completed','cancelled','failed'))`);
    await q.query(`ALTER TABLE broadcasts
      ADD COLUMN photo varchar(1000),
      ADD COLUMN buttons jsonb NOT NULL DEFAULT '[]'::jsonb,
      ADD COLUMN revision integer NOT NULL DEFAULT 0,
      ADD COLUMN preview_telegram_id bigint,
      ADD COLUMN previewed_at timestamptz,
      ADD COLUMN started_at timestamptz,
      ADD COLUMN failure varchar(300),
      ADD COLUMN progress_chat_id bigint,
      ADD COLUMN progress_thread_id integer,
      ADD COLUMN progress_message_id integer,
      ADD COLUMN progress_posted_at timestamptz`);
    await q.query(`CREATE INDEX broadcasts_bot_created_idx ON broadcasts(bot_id, created_at DESC, id DESC)`);

    await q.query(`ALTER TABLE broadcast_deliveries DROP CONSTRAINT IF EXISTS broadcast_deliveries_status_check`);
    await q.query(`ALTER TABLE broadcast_deliveries ADD CONSTRAINT broadcast_deliveries_status_check
      CHECK (status IN ('pending','sending','sent','failed','blocked','interrupted'))`);
    await q.query(`ALTER TABLE broadcast_deliveries
      ADD COLUMN claimed_at timestamptz,
      ADD COLUMN claim_id uuid`);
    await q.query(`CREATE INDEX broadcast_deliveries_status_idx ON broadcast_deliveries(bot_id, broadcast_id, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS broadcast_deliveries_status_idx`);
    await q.query(`ALTER TABLE broadcast_deliveries DROP COLUMN claimed_at, DROP COLUMN claim_id`);
    await q.query(`UPDATE broadcast_deliveries SET status = 'failed' WHERE status IN ('sending','interrupted')`);
    await q.query(`ALTER TABLE broadcast_deliveries DROP CONSTRAINT IF EXISTS broadcast_deliveries_status_check`);
    await q.query(`ALTER TABLE broadcast_deliveries ADD CONSTRAINT broadcast_deliveries_status_check
      CHECK (status IN ('pending','sent','failed','blocked'))`);
    await q.query(`DROP INDEX IF EXISTS broadcasts_bot_created_idx`);
    await q.query(`ALTER TABLE broadcasts
      DROP COLUMN photo, DROP COLUMN buttons, DROP COLUMN revision, DROP COLUMN preview_telegram_id, DROP COLUMN previewed_at,
      DROP COLUMN started_at, DROP COLUMN failure, DROP COLUMN progress_chat_id, DROP COLUMN progress_thread_id,
      DROP COLUMN progress_message_id, DROP COLUMN progress_posted_at`);
    await q.query(`UPDATE broadcasts SET status = 'cancelled' WHERE status = 'draft'`);
    await q.query(`ALTER TABLE broadcasts DROP CONSTRAINT IF EXISTS broadcasts_status_check`);
    await q.query(`ALTER TABLE broadcasts ALTER COLUMN status SET DEFAULT 'queued'`);
    await q.query(`ALTER TABLE broadcasts ADD CONSTRAINT broadcasts_status_check
      CHECK (status IN ('queued','running','completed','cancelled','failed'))`);
  }
}
