import { Injectable } from '@nestjs/common';
import { TenantDb } from '../tenant-context';

/** The queries on `tickets` that the generic tenant repository cannot express. */
@Injectable()
export class TicketRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * Inserts an open ticket with the bot's next number. Numbers are given out under a per-bot advisory lock
   * held until the transaction ends, so concurrent openings get 1, 2, 3 … without gaps from races (the
   * unique (bot_id, number) stays the last word). Returns the new ticket's id, or null when the customer
   * already has a ticket that is not closed (`tickets_one_open_per_user`; nothing is written).
   */
  async insertNumbered(botId: string, t: { userId: string; subject: string }): Promise<string | null> {
    return this.db.within(botId, async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('botfleet:tickets:' || $1::text, 0))`, [botId]);
      const rows: { id: string }[] = await m.query(
        `INSERT INTO tickets (bot_id, number, user_id, subject, status)
           SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, 'open' FROM tickets WHERE bot_id = $1
         ON CONFLICT (bot_id, user_id) WHERE status <> 'closed' DO NOTHING
         RETURNING id`,
        [botId, t.userId, t.subject],
      );
      return rows[0]?.id ?? null;
    });
  }
}
