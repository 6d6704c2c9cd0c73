import { Injectable } from '@nestjs/common';
import { PlatformDb } from '../platform-db';

/**
 * gateway_payments across every bot (platform path), for the two questions that come without a bot: whose
 * payment a gateway's callback names (then the work runs in that bot's tenant transaction only), and which
 * bots the reconciler must visit.
 */
@Injectable()
export class GatewayPaymentDirectory {
  constructor(private readonly platform: PlatformDb) {}

  /** The bot whose payment has this gateway id, or null (unknown or forged). */
  async botOf(gateway: string, externalId: string): Promise<string | null> {
    if (!externalId || externalId.length > 255) return null;
    const rows: { bot_id: string }[] = await this.platform.manager.query(
      `SELECT bot_id FROM gateway_payments WHERE gateway = $1 AND external_id = $2`,
      [gateway, externalId],
    );
    return rows[0]?.bot_id ?? null;
  }

  /**
   * Bots with payments of `gateway` that may still turn out paid: pending ones, and those that failed or expired
   * since `since` (money that arrived late is still credited); and those with a Telegram Stars refund still to be
   * applied (`details.telegramRefundPending`, libs/payments StarsCheckout).
   */
  async botsToReconcile(gateway: string, since: Date): Promise<string[]> {
    const rows: { bot_id: string }[] = await this.platform.manager.query(
      `SELECT DISTINCT bot_id FROM gateway_payments
        WHERE gateway = $1 AND (status = 'pending' OR (status IN ('failed','expired') AND updated_at >= $2)
              OR details ? 'telegramRefundPending')`,
      [gateway, since],
    );
    return rows.map((r) => r.bot_id);
  }
}
