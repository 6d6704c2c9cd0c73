import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A ticket the shop opens for a customer over the API (POST /v1/bots/{botId}/tickets) keeps the client's
 * Idempotency-Key, unique per bot: a retry finds the first ticket in the database however long after and opens
 * nothing. Tickets the customers open in the bot leave it null. tickets keeps its forced row-level security and
 * grants (SupportTickets, InitialSchema): a column and an index change neither.
 */
export class TicketOpenIdempotency1764400001900 implements MigrationInterface {
  name = 'TicketOpenIdempotency1764400001900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets ADD COLUMN idempotency_key varchar(100)`);
    await q.query(`CREATE UNIQUE INDEX tickets_idempotency_key_uq
      ON tickets(bot_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tickets_idempotency_key_uq`);
    await q.query(`ALTER TABLE tickets DROP COLUMN idempotency_key`);
  }
}
