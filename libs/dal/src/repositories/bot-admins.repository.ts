import { Injectable } from '@nestjs/common';
import { BotAdminEntity } from '../entities';
import { TenantDb } from '../tenant-context';

export type BotAdminRoleValue = BotAdminEntity['role'];

/** A bot's Telegram admins (`bot_admins`), on the tenant path. */
@Injectable()
export class BotAdminsRepository {
  constructor(private readonly db: TenantDb) {}

  list(botId: string): Promise<BotAdminEntity[]> {
    return this.db.within(botId, (m) => m.find(BotAdminEntity, { where: { botId }, order: { telegramId: 'ASC' } }));
  }

  /** The admin row of this Telegram user in this bot, if any. */
  async find(botId: string, telegramId: number): Promise<BotAdminEntity | null> {
    return this.db.within(botId, (m) => m.findOne(BotAdminEntity, { where: { botId, telegramId } }));
  }

  /**
   * Makes the admin list exactly `admins` (telegram id → role), touching only rows that change. The caller
   * puts the owner in with role 'owner' (and no one else); `is_owner` follows the role (trigger).
   */
  async replaceAll(botId: string, admins: { telegramId: number; role: BotAdminRoleValue }[]): Promise<void> {
    const ids = admins.map((a) => a.telegramId);
    const roles = admins.map((a) => a.role);
    await this.db.within(botId, async (m) => {
      await m.query(`DELETE FROM bot_admins WHERE bot_id = $1 AND NOT (telegram_id = ANY($2::bigint[]))`, [botId, ids]);
      await m.query(
        `INSERT INTO bot_admins (bot_id, telegram_id, role)
         SELECT $1, w.telegram_id, w.role FROM unnest($2::bigint[], $3::varchar[]) AS w(telegram_id, role)
         ON CONFLICT (bot_id, telegram_id) DO UPDATE SET role = EXCLUDED.role, updated_at = now()
           WHERE bot_admins.role IS DISTINCT FROM EXCLUDED.role`,
        [botId, ids, roles],
      );
    });
  }
}
