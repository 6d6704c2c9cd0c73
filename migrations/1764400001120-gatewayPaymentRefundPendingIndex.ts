import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Stars refund follow-up looks for the few payments still carrying `details.telegramRefundPending`: across every
 * bot (GatewayPaymentDirectory.botsToReconcile, per gateway) and within one bot, least recently changed first
 * (GatewayPaymentRepository.idsMarked). Without an index both walk every payment of the gateway; this one holds only
 * the marked rows.
 */
export class GatewayPaymentRefundPendingIndex1764400001120 implements MigrationInterface {
  name = 'GatewayPaymentRefundPendingIndex1764400001120';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS gateway_payments_refund_pending_idx ON gateway_payments(gateway, bot_id, updated_at)
      WHERE details ? 'telegramRefundPending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS gateway_payments_refund_pending_idx`);
  }
}
