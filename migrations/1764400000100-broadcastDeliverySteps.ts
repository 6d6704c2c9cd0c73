import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Broadcast deliveries marked one by one: a batch is leased to a run while still `pending` (claim_id,
 * claimed_at), each delivery becomes `sending` just before its own Telegram call and gets its outcome right
 * after, so a crash leaves at most the sends in flight ambiguous (`interrupted`) and the rest of the batch
 * `pending` for the run that takes over. An ended broadcast closes what it did not send (`skipped`, counted).
 * `chunk` numbers the job that carries a running broadcast, so a sweep can tell a lost job chain from a live
 * one and re-queue it under a fresh, deterministic job id.
 */
export class BroadcastDeliverySteps1764400000100 implements MigrationInterface {
  name = 'BroadcastDeliverySteps1764400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE broadcast_deliveries DROP CONSTRAINT IF EXISTS broadcast_deliveries_status_check`);
    await q.query(`ALTER TABLE broadcast_deliveries ADD CONSTRAINT broadcast_deliveries_status_check
      CHECK (status IN ('pending','sending','sent','failed','blocked','interrupted','skipped'))`);
    await q.query(`ALTER TABLE broadcasts
      ADD COLUMN skipped integer NOT NULL DEFAULT 0 CHECK (skipped >= 0),
      ADD COLUMN chunk integer NOT NULL DEFAULT 0 CHECK (chunk >= 0)`);
    // The sweep's look-up: running broadcasts by their last progress.
    await q.query(`CREATE INDEX broadcasts_running_idx ON broadcasts(updated_at) WHERE status = 'running'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS broadcasts_running_idx`);
    await q.query(`ALTER TABLE broadcasts DROP COLUMN skipped, DROP COLUMN chunk`);
    await q.query(`UPDATE broadcast_deliveries SET status = 'failed' WHERE status = 'skipped'`);
    await q.query(`ALTER TABLE broadcast_deliveries DROP CONSTRAINT IF EXISTS broadcast_deliveries_status_check`);
    await q.query(`ALTER TABLE broadcast_deliveries ADD CONSTRAINT broadcast_deliveries_status_check
      CHECK (status IN ('pending','sending','sent','failed','blocked','interrupted'))`);
  }
}
