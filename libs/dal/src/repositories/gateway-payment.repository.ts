import { Injectable } from '@nestjs/common';
import { TenantDb } from '../tenant-context';

/** `gateway_payments` questions the generic repository cannot ask: a key inside `details`. */
@Injectable()
export class GatewayPaymentRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * Ids of the bot's payments of `gateway` whose `details` have `key` (a mark a follow-up leaves until it is done),
   * least recently changed first, at most `limit`.
   */
  async idsMarked(botId: string, gateway: string, key: string, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.db.within(botId, (m) =>
      m.query(
        `SELECT id FROM gateway_payments WHERE bot_id = $1 AND gateway = $2 AND details ? $3
          ORDER BY updated_at LIMIT $4`,
        [botId, gateway, key, limit],
      ),
    );
    return rows.map((r) => r.id);
  }

  /**
   * Whether another payment for `orderId` whose link replaces chat message `messageId` was opened after `paymentId`.
   * Compared on the stored `created_at` (microseconds; an entity's Date keeps only milliseconds, so a payment opened
   * earlier in the same millisecond would look newer); two opened at the same instant are ordered by id, so exactly
   * one of them is the newest.
   */
  async newerOnScreen(botId: string, paymentId: string, orderId: string, messageId: number): Promise<boolean> {
    const rows: { newer: boolean }[] = await this.db.within(botId, (m) =>
      m.query(
        `SELECT EXISTS (
           SELECT 1 FROM gateway_payments n
             JOIN gateway_payments p ON p.bot_id = n.bot_id AND p.id = $2
            WHERE n.bot_id = $1 AND n.order_id = $3 AND n.screen_message_id = $4 AND n.id <> p.id
              AND (n.created_at, n.id) > (p.created_at, p.id)
         ) AS newer`,
        [botId, paymentId, orderId, messageId],
      ),
    );
    return rows[0]?.newer === true;
  }
}
