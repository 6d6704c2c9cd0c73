import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `gateway_payments.screen_message_id`: the buyer's chat message a bot-opened payment shows its link on (the screen
 * whose gateway button was tapped); NULL for a payment opened elsewhere (the API) or before this column. A payment
 * ended by a newer one for its order reads it to know whether the newer payment's link lands on its own screen
 * (it then says nothing there) or elsewhere (it tells its screen it was replaced). An integer like the other
 * Telegram message ids kept per chat; gateway_payments keeps its forced row-level security and grants.
 */
export class GatewayPaymentScreenMessage1764400001600 implements MigrationInterface {
  name = 'GatewayPaymentScreenMessage1764400001600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway_payments ADD COLUMN screen_message_id integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway_payments DROP COLUMN screen_message_id`);
  }
}
