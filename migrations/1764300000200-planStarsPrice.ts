import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A plan's price in Telegram Stars (XTR, whole stars), for the `telegram_stars` feature. Null: the plan is not
 * sold for Stars (the Stars button is not shown). Bounded to 1..1,000,000; Telegram refuses an invoice above its
 * own current limit, which the bot then reports as unavailable.
 */
export class PlanStarsPrice1764300000200 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE bot_plans ADD COLUMN price_stars integer CHECK (price_stars IS NULL OR price_stars BETWEEN 1 AND 1000000)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bot_plans DROP COLUMN price_stars`);
  }
}
