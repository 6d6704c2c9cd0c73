import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wallet top-ups paid card to card go through the same receipt review as orders: a card payment has a
 * purpose. An `order` payment pays its order (order_id set, as before); a `topup` payment credits the user's
 * wallet on approval (no order_id) and may name the order the top-up was started for (`for_order_id`, the
 * order the wallet could not cover), which the user is then offered to pay from the wallet.
 */
export class CardTopUps1764300000300 implements MigrationInterface {
  name = 'CardTopUps1764300000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE card_to_card_payments
         ADD COLUMN purpose varchar(10) NOT NULL DEFAULT 'order' CHECK (purpose IN ('order','topup')),
         ADD COLUMN for_order_id uuid,
         ALTER COLUMN order_id DROP NOT NULL`,
    );
    await q.query(
      `ALTER TABLE card_to_card_payments
         ADD CONSTRAINT card_payments_purpose_order_chk CHECK ((purpose = 'order') = (order_id IS NOT NULL)),
         ADD CONSTRAINT card_payments_for_order_chk CHECK (purpose = 'topup' OR for_order_id IS NULL),
         ADD CONSTRAINT card_payments_for_order_fk FOREIGN KEY (bot_id, for_order_id) REFERENCES orders(bot_id, id)`,
    );
    // A user's top-ups, newest first (the wallet's history and the REST list).
    await q.query(
      `CREATE INDEX card_payments_topups_idx ON card_to_card_payments(bot_id, user_id, created_at DESC)
         WHERE purpose = 'topup'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX card_payments_topups_idx`);
    await q.query(`DELETE FROM card_to_card_payments WHERE purpose = 'topup'`);
    await q.query(
      `ALTER TABLE card_to_card_payments
         DROP CONSTRAINT card_payments_for_order_fk,
         DROP CONSTRAINT card_payments_for_order_chk,
         DROP CONSTRAINT card_payments_purpose_order_chk,
         DROP COLUMN for_order_id,
         DROP COLUMN purpose,
         ALTER COLUMN order_id SET NOT NULL`,
    );
  }
}
