import { Injectable } from '@nestjs/common';
import { BotAdminEntity } from '../entities';
import { TenantDb } from '../tenant-context';

/** A bot's Telegram admins (`bot_admins`), on the tenant path. */
@Injectable()
export class BotAdminsRepository {
  constructor(private readonly db: TenantDb) {}

  list(botId: string): Promise<BotAdminEntity[]> {
    return this.db.within(botId, (m) => m.find(BotAdminEntity, { where: { botId }, order: { telegramId: 'ASC' } }));
  }

  /** Makes the admin list exactly `telegramIds` (the owner flagged), touching only rows that change. */
  async replaceAll(botId: string, telegramIds: number[], ownerTelegramId: number): Promise<void> {
    await this.db.within(botId, async (m) => {
      await m.query(`DELETE FROM bot_admins WHERE bot_id = $1 AND NOT (telegram_id = ANY($2::bigint[]))`, [
        botId,
        telegramIds,
      ]);
      await m.query(
        `INSERT INTO bot_admins (bot_id, telegram_id, is_owner)
         SELECT $1, t, t = $3 FROM unnest($2::bigint[]) AS t
         ON CONFLICT (bot_id, telegram_id) DO UPDATE SET is_owner = EXCLUDED.is_owner, updated_at = now()
           WHERE bot_admins.is_owner IS DISTINCT FROM EXCLUDED.is_owner`,
        [botId, telegramIds, ownerTelegramId],
      );
    });
  }
}
