import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who opened a ticket: `customer` (in the bot, every ticket so far) or `shop` (POST /v1/bots/{botId}/tickets), so
 * the customer's first notice of a ticket the shop opened says that support wrote to them, not that it answered.
 * tickets keeps its forced row-level security and grants (SupportTickets, InitialSchema): a column changes neither.
 */
export class TicketOpenedBy1764400002600 implements MigrationInterface {
  name = 'TicketOpenedBy1764400002600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets ADD COLUMN opened_by varchar(16) NOT NULL DEFAULT 'customer'
      CONSTRAINT tickets_opened_by_known CHECK (opened_by IN ('customer', 'shop'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets DROP COLUMN opened_by`);
  }
}
