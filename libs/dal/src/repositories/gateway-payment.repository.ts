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
}
