import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Promo codes and referrals (issue 13 parts 1–2). A code may be limited to one plan and to a customer's
 * first purchase; codes are stored upper case (typed in any case). A use is one row per (code, user, order):
 * a wallet bonus and a code typed with /promo for the next purchase have no order (the per-user limit and the
 * one waiting discount are checked under the user's row lock), an order carries at most one code. uses_count never passes max_uses (the
 * conditional increment of RedeemPromoUseCase; the CHECK is the last line). A referral earning remembers when
 * it was reversed (the referred order refunded).
 */
export class PromoCodesReferrals1764300001000 implements MigrationInterface {
  name = 'PromoCodesReferrals1764300001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE promocodes
      ADD COLUMN plan_id uuid,
      ADD COLUMN first_purchase_only boolean NOT NULL DEFAULT false,
      ADD CONSTRAINT promocodes_code_format CHECK (code ~ '^[A-Z0-9_-]{3,32}$'),
      ADD CONSTRAINT promocodes_uses_within_limit CHECK (uses_count >= 0 AND (max_uses IS NULL OR uses_count <= max_uses)),
      ADD CONSTRAINT promocodes_value_by_kind CHECK (
        (kind = 'percent' AND value BETWEEN 1 AND 99) OR (kind = 'extra_days' AND value BETWEEN 1 AND 3650)
        OR (kind IN ('fixed', 'balance'))),
      ADD CONSTRAINT promocodes_window CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until)`);
    await q.query(`ALTER TABLE promocode_uses
      ADD CONSTRAINT promocode_uses_once UNIQUE (bot_id, promocode_id, user_id, order_id)`);
    await q.query(
      `CREATE UNIQUE INDEX promocode_uses_one_per_order ON promocode_uses(bot_id, order_id) WHERE order_id IS NOT NULL`,
    );
    await q.query(`ALTER TABLE referral_earnings ADD COLUMN reversed_at timestamptz`);
    await q.query(`CREATE INDEX referral_earnings_referrer_idx ON referral_earnings(bot_id, referrer_id, created_at)`);
    await q.query(`CREATE INDEX users_bot_referrer_idx ON users(bot_id, referrer_id) WHERE referrer_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX users_bot_referrer_idx`);
    await q.query(`DROP INDEX referral_earnings_referrer_idx`);
    await q.query(`ALTER TABLE referral_earnings DROP COLUMN reversed_at`);
    await q.query(`DROP INDEX promocode_uses_one_per_order`);
    await q.query(`ALTER TABLE promocode_uses DROP CONSTRAINT promocode_uses_once`);
    await q.query(`ALTER TABLE promocodes
      DROP CONSTRAINT promocodes_window,
      DROP CONSTRAINT promocodes_value_by_kind,
      DROP CONSTRAINT promocodes_uses_within_limit,
      DROP CONSTRAINT promocodes_code_format,
      DROP COLUMN first_purchase_only,
      DROP COLUMN plan_id`);
  }
}
