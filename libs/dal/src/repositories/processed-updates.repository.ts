import { Injectable } from '@nestjs/common';
import { TenantDb } from '../tenant-context';

/**
 * The exactly-once fence of Telegram updates (`processed_updates`, primary key bot_id + telegram_bot_id +
 * update_id). Telegram numbers updates per Telegram bot, so a claim names the Telegram bot that sent the
 * update: a bot row moved to another Telegram bot never finds the old bot's claims in its way.
 */
@Injectable()
export class ProcessedUpdatesRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * Claims the updates for handling: inserts each id once and returns the ids this call inserted. An id
   * another transaction holds waits for it to commit and then counts as a duplicate, so in the caller's
   * transaction the claim is the fence against a second delivery, even a concurrent one.
   */
  async claim(botId: string, telegramBotId: number, updateIds: number[]): Promise<Set<number>> {
    const rows: { update_id: string | number }[] = await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO processed_updates (bot_id, telegram_bot_id, update_id) SELECT $1, $2, u FROM unnest($3::bigint[]) u
         ON CONFLICT DO NOTHING RETURNING update_id`,
        [botId, telegramBotId, updateIds],
      ),
    );
    return new Set(rows.map((r) => Number(r.update_id)));
  }
}
