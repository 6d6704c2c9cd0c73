import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
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
      return this.insertLocked(m, botId, { ...t, idempotencyKey: null });
    });
  }

  /**
   * insertNumbered for a ticket the shop opens, under the client's idempotency key: the same key again finds the
   * first ticket instead (`replayed`) — under the same per-bot lock, so a retry racing the first attempt waits for
   * its commit and finds it; the unique (bot_id, idempotency_key) stays the last word. Null as insertNumbered.
   */
  async insertNumberedKeyed(
    botId: string,
    t: { userId: string; subject: string; idempotencyKey: string },
  ): Promise<{ id: string; userId: string; replayed: boolean } | null> {
    return this.db.within(botId, async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('botfleet:tickets:' || $1::text, 0))`, [botId]);
      const first: { id: string; user_id: string }[] = await m.query(
        `SELECT id, user_id FROM tickets WHERE bot_id = $1 AND idempotency_key = $2`,
        [botId, t.idempotencyKey],
      );
      if (first[0]) return { id: first[0].id, userId: first[0].user_id, replayed: true };
      const id = await this.insertLocked(m, botId, t);
      return id ? { id, userId: t.userId, replayed: false } : null;
    });
  }

  private async insertLocked(
    m: EntityManager,
    botId: string,
    t: { userId: string; subject: string; idempotencyKey: string | null },
  ): Promise<string | null> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO tickets (bot_id, number, user_id, subject, status, idempotency_key)
         SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, 'open', $4 FROM tickets WHERE bot_id = $1
       ON CONFLICT (bot_id, user_id) WHERE status <> 'closed' DO NOTHING
       RETURNING id`,
      [botId, t.userId, t.subject, t.idempotencyKey],
    );
    return rows[0]?.id ?? null;
  }
}
