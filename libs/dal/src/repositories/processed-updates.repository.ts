import { Injectable } from '@nestjs/common';
import { assertBotId, TenantDb } from '../tenant-context';

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

  /**
   * Opens the bot's tenant transaction with the claim of `updateIds` in its first round trip (with `BEGIN`: the
   * claim is the first thing every update's transaction does, so this saves a round trip per update) and runs
   * `work` with the ids claimed, as `claim` would return them. `along` is another repository's statement that
   * travels in the same round trip, after the claim (the senders' user rows: `UserRepository.upsertContactsOpening`);
   * its rows reach `work` as the second argument. Inside an open transaction it claims, then works.
   */
  async claimThen<T>(
    botId: string,
    telegramBotId: number,
    updateIds: number[],
    work: (claimed: Set<number>, alongRows: unknown[]) => Promise<T>,
    along?: string,
  ): Promise<T> {
    // Inlined into a simple-protocol statement: a checked UUID and integers only.
    assertBotId(botId);
    if (!Number.isSafeInteger(telegramBotId) || !updateIds.every((id) => Number.isSafeInteger(id) && id >= 0)) {
      throw new Error('claimThen takes integer update ids and a Telegram bot id');
    }
    const claim = `INSERT INTO processed_updates (bot_id, telegram_bot_id, update_id)
            SELECT '${botId}'::uuid, ${telegramBotId}, u FROM unnest(ARRAY[${updateIds.join(',')}]::bigint[]) u
            ON CONFLICT DO NOTHING RETURNING update_id`;
    const statements = [...(updateIds.length ? [claim] : []), ...(along ? [along] : [])];
    return this.db.runOpening(botId, statements.length ? { sql: statements } : null, (_tx, rows) => {
      const claimed = updateIds.length ? (rows[0] as { update_id: string | number }[]) : [];
      const alongRows = along ? rows[rows.length - 1] : [];
      return work(new Set(claimed.map((r) => Number(r.update_id))), alongRows);
    });
  }
}
