import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `subscription_events.dedupe_key`: the record that a purchase was applied to its subscription
 * (`order:<id>:provisioned`, `order:<id>:extended`, ...). Unique per bot, so a provisioning job that runs
 * twice for one order finds its own record and adds nothing. NULL for events that need no such guard.
 */
export class SubscriptionEventDedupe1763900000000 implements MigrationInterface {
  name = 'SubscriptionEventDedupe1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscription_events ADD COLUMN dedupe_key varchar(200)`);
    await q.query(
      `ALTER TABLE subscription_events ADD CONSTRAINT subscription_events_bot_dedupe_uq UNIQUE (bot_id, dedupe_key)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscription_events DROP CONSTRAINT subscription_events_bot_dedupe_uq`);
    await q.query(`ALTER TABLE subscription_events DROP COLUMN dedupe_key`);
  }
}
