import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Support tickets answered in the admin chat. A customer has at most one ticket that is not closed (their
 * follow-ups join it); who closed it and when; the last activity for the lists. Messages may carry a photo
 * (Telegram file_id; the text is then the caption, possibly empty) and remember the admin chat message that
 * shows them, so an admin's Telegram reply to that message is routed back to its ticket (tickets keep the
 * message of the customer's card the same way). Numbers stay unique per bot (UNIQUE (bot_id, number)),
 * given out under a per-bot advisory lock by TicketRepository.
 */
export class SupportTickets1764300000500 implements MigrationInterface {
  name = 'SupportTickets1764300000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets
      ADD COLUMN closed_by varchar(100),
      ADD COLUMN closed_at timestamptz,
      ADD COLUMN last_message_at timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN admin_chat_id bigint,
      ADD COLUMN admin_message_id bigint,
      ADD CONSTRAINT tickets_number_positive CHECK (number > 0),
      ADD CONSTRAINT tickets_closed_consistent CHECK ((status = 'closed') = (closed_at IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX tickets_one_open_per_user ON tickets(bot_id, user_id) WHERE status <> 'closed'`);
    await q.query(`CREATE INDEX tickets_bot_list_idx ON tickets(bot_id, status, last_message_at DESC)`);
    await q.query(
      `CREATE INDEX tickets_admin_post_idx ON tickets(bot_id, admin_chat_id, admin_message_id) WHERE admin_message_id IS NOT NULL`,
    );
    await q.query(`ALTER TABLE ticket_messages
      ADD COLUMN photo_file_id varchar(255),
      ADD COLUMN author varchar(100),
      ADD COLUMN admin_chat_id bigint,
      ADD COLUMN admin_message_id bigint,
      ADD CONSTRAINT ticket_messages_has_body CHECK (text <> '' OR photo_file_id IS NOT NULL)`);
    await q.query(
      `CREATE INDEX ticket_messages_admin_post_idx ON ticket_messages(bot_id, admin_chat_id, admin_message_id) WHERE admin_message_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ticket_messages_admin_post_idx`);
    await q.query(`ALTER TABLE ticket_messages
      DROP CONSTRAINT ticket_messages_has_body,
      DROP COLUMN admin_message_id,
      DROP COLUMN admin_chat_id,
      DROP COLUMN author,
      DROP COLUMN photo_file_id`);
    await q.query(`DROP INDEX tickets_admin_post_idx`);
    await q.query(`DROP INDEX tickets_bot_list_idx`);
    await q.query(`DROP INDEX tickets_one_open_per_user`);
    await q.query(`ALTER TABLE tickets
      DROP CONSTRAINT tickets_closed_consistent,
      DROP CONSTRAINT tickets_number_positive,
      DROP COLUMN admin_message_id,
      DROP COLUMN admin_chat_id,
      DROP COLUMN last_message_at,
      DROP COLUMN closed_at,
      DROP COLUMN closed_by`);
  }
}
