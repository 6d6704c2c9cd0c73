import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `processed_updates.telegram_bot_id`: an update is claimed once per `(bot_id, telegram_bot_id, update_id)`.
 * Update ids are numbered per Telegram bot, so when a bot row starts speaking for another Telegram bot (a
 * token replaced with `allowDifferentBot`, the operator's `MASTER_BOT_TOKEN` changed to another bot) the new
 * bot's ids must not meet the old bot's claims. Existing claims are the current Telegram bot's: backfilled
 * from `bots`. The owner reads both tables past row-level security only while FORCE is lifted, inside this
 * migration's transaction.
 */
export class ProcessedUpdatesTelegramBot1764100000300 implements MigrationInterface {
  name = 'ProcessedUpdatesTelegramBot1764100000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE processed_updates ADD COLUMN telegram_bot_id bigint`);
    await q.query(`ALTER TABLE processed_updates NO FORCE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE bots NO FORCE ROW LEVEL SECURITY`);
    await q.query(
      `UPDATE processed_updates p SET telegram_bot_id = b.telegram_bot_id FROM bots b WHERE b.id = p.bot_id`,
    );
    await q.query(`ALTER TABLE bots FORCE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE processed_updates FORCE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE processed_updates ALTER COLUMN telegram_bot_id SET NOT NULL`);
    await q.query(`ALTER TABLE processed_updates DROP CONSTRAINT processed_updates_pkey`);
    await q.query(`ALTER TABLE processed_updates ADD PRIMARY KEY (bot_id, telegram_bot_id, update_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE processed_updates DROP CONSTRAINT processed_updates_pkey`);
    await q.query(`ALTER TABLE processed_updates NO FORCE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE bots NO FORCE ROW LEVEL SECURITY`);
    // Claims of earlier Telegram bots cannot share the old key with the current one's; they are let go.
    await q.query(
      `DELETE FROM processed_updates p USING bots b WHERE b.id = p.bot_id AND p.telegram_bot_id <> b.telegram_bot_id`,
    );
    await q.query(`ALTER TABLE bots FORCE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE processed_updates FORCE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE processed_updates DROP COLUMN telegram_bot_id`);
    await q.query(`ALTER TABLE processed_updates ADD PRIMARY KEY (bot_id, update_id)`);
  }
}
