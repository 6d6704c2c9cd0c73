import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A text receipt may be as long as a Telegram message (4096 characters): it is kept whole and the review
 * message shows what fits, with a marker, instead of the user being refused.
 */
export class ReceiptTextLength1764100000400 implements MigrationInterface {
  name = 'ReceiptTextLength1764100000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE card_to_card_payments ALTER COLUMN receipt_text TYPE varchar(4096)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE card_to_card_payments ALTER COLUMN receipt_text TYPE varchar(1000)`);
  }
}
