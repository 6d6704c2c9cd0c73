import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The expiry job asks, across every bot, for active subscriptions past their end, the longest overdue first:
 * a partial index on `expires_at` of the active ones answers that without reading the others.
 */
export class SubscriptionExpiryIndex1764100000520 implements MigrationInterface {
  name = 'SubscriptionExpiryIndex1764100000520';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX subscriptions_active_expiry_idx ON subscriptions (expires_at) WHERE status = 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX subscriptions_active_expiry_idx`);
  }
}
