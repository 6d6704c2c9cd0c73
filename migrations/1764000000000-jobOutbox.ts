import { MigrationInterface, QueryRunner } from 'typeorm';
import { makeTenantTable } from '../libs/dal/src/migration/tenant-table';

/**
 * `job_outbox`: queue jobs written in the same transaction as the change they announce (a receipt to
 * review, a payment approved, rejected or expired, a refund). After the commit the job goes to BullMQ and
 * the row is deleted; a row that outlives a crash between the two is relayed by the worker's sweeper under
 * the same job id, so the job is queued once and never lost.
 */
export class JobOutbox1764000000000 implements MigrationInterface {
  name = 'JobOutbox1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE job_outbox (
      id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
      bot_id uuid NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
      job_name varchar(64) NOT NULL,
      job_id varchar(300) NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (bot_id, job_id)
    )`);
    await q.query(`CREATE INDEX job_outbox_created_idx ON job_outbox(created_at)`);
    await makeTenantTable(q, 'job_outbox');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_outbox`);
  }
}
