import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The free trial and reminders (issue 13 parts 3–5):
 * - one trial per Telegram user per bot, by a partial unique index on orders (kind 'trial'); a trial whose
 *   provisioning failed for good (failed/refunded) does not count, so the user may take it again;
 * - what the operator charges per trial (`wholesale_prices.trial_minor`, 0 by default), next to the other prices.
 */
export class GrowthTrialReminders1764300001100 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNIQUE INDEX orders_one_trial_per_user ON orders (bot_id, user_id)
        WHERE kind = 'trial' AND status NOT IN ('failed', 'refunded')`,
    );
    await q.query(`ALTER TABLE wholesale_prices ADD COLUMN trial_minor bigint NOT NULL DEFAULT 0`);
    await q.query(
      `ALTER TABLE wholesale_prices ADD CONSTRAINT wholesale_prices_trial_minor_range
        CHECK (trial_minor BETWEEN 0 AND 1000000000000000)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE wholesale_prices DROP CONSTRAINT wholesale_prices_trial_minor_range`);
    await q.query(`ALTER TABLE wholesale_prices DROP COLUMN trial_minor`);
    await q.query(`DROP INDEX orders_one_trial_per_user`);
  }
}
