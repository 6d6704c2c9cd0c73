import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An answer given with a client's Idempotency-Key keeps the key on its ticket message, unique per ticket: a
 * retry finds the first answer in the database however long after (the key used to live only in Redis for a
 * day, and a retry after that or after a Redis loss answered the customer twice). Answers without a key (the
 * admin chat, a client that sends none) leave it null. ticket_messages keeps its forced row-level security
 * and grants (SupportTickets, InitialSchema): a column and an index change neither.
 */
export class TicketReplyIdempotency1764400000510 implements MigrationInterface {
  name = 'TicketReplyIdempotency1764400000510';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_messages
      ADD COLUMN idempotency_key varchar(100),
      ADD CONSTRAINT ticket_messages_idempotency_key_admin CHECK (idempotency_key IS NULL OR sender = 'admin')`);
    await q.query(`CREATE UNIQUE INDEX ticket_messages_idempotency_key_uq
      ON ticket_messages(bot_id, ticket_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ticket_messages_idempotency_key_uq`);
    await q.query(`ALTER TABLE ticket_messages
      DROP CONSTRAINT ticket_messages_idempotency_key_admin,
      DROP COLUMN idempotency_key`);
  }
}
