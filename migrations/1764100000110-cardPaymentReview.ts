import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A receipt under review never expires: the payment records when its receipt was sent and how many
 * review reminders went out (the sweeper reminds the admins, then the owner, each once). Pending orders
 * get an index for the sweeper that expires the ones nobody pays.
 */
export class CardPaymentReview1764100000110 implements MigrationInterface {
  name = 'CardPaymentReview1764100000110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE card_to_card_payments ADD COLUMN receipt_submitted_at timestamptz`);
    await q.query(
      `ALTER TABLE card_to_card_payments ADD COLUMN review_reminders_sent smallint NOT NULL DEFAULT 0
         CHECK (review_reminders_sent >= 0)`,
    );
    // Receipts already waiting: their last change was the submission (or the review message after it).
    await q.query(`UPDATE card_to_card_payments SET receipt_submitted_at = updated_at WHERE status = 'pending'`);
    await q.query(
      `CREATE INDEX card_payments_review_idx ON card_to_card_payments(receipt_submitted_at) WHERE status = 'pending'`,
    );
    await q.query(`CREATE INDEX orders_pending_created_idx ON orders(created_at) WHERE status = 'pending'`);
    // An order's payments (is anyone paying this order?), asked for every pending order.
    await q.query(`CREATE INDEX card_payments_order_idx ON card_to_card_payments(bot_id, order_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX card_payments_order_idx`);
    await q.query(`DROP INDEX orders_pending_created_idx`);
    await q.query(`DROP INDEX card_payments_review_idx`);
    await q.query(`ALTER TABLE card_to_card_payments DROP COLUMN review_reminders_sent`);
    await q.query(`ALTER TABLE card_to_card_payments DROP COLUMN receipt_submitted_at`);
  }
}
