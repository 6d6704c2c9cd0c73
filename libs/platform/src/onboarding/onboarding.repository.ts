import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BotEntity } from '@botfleet/dal';
import { PlatformDb } from '../platform-db';

/** An invite can be used when it is unused, unrevoked and unexpired. */
const USABLE_INVITE = `used_at IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`;

export type NewBotRow = Omit<
  BotEntity,
  | 'createdAt'
  | 'updatedAt'
  | 'deletedAt'
  | 'walletBalanceMinor'
  | 'walletHeldMinor'
  | 'trafficSoldBytes'
  | 'trafficConsumedBytes'
  | 'adminTopicId'
  | 'cardReceiptTopicId'
  | 'notificationGroupId'
  | 'notificationTopicId'
>;

/** The writes and checks of onboarding a bot: a new tenant row, before any tenant exists (platform path). */
@Injectable()
export class OnboardingRepository {
  constructor(private readonly platform: PlatformDb) {}

  async isUsableInvite(code: string): Promise<boolean> {
    const rows: unknown[] = await this.platform.manager.query(
      `SELECT id FROM invites WHERE code = $1 AND ${USABLE_INVITE}`,
      [code],
    );
    return rows.length > 0;
  }

  /** Whether a live (not deleted) bot already has this Telegram token (by HMAC) or Telegram bot id. */
  async isTelegramBotTaken(by: { tokenHash: string } | { telegramBotId: number }): Promise<boolean> {
    const [where, value] =
      'tokenHash' in by ? ['telegram_token_hash = $1', by.tokenHash] : ['telegram_bot_id = $1', by.telegramBotId];
    const rows: unknown[] = await this.platform.manager.query(
      `SELECT 1 FROM bots WHERE ${where} AND status <> 'deleted' LIMIT 1`,
      [value],
    );
    return rows.length > 0;
  }

  async insertBot(m: EntityManager, row: NewBotRow): Promise<BotEntity> {
    await m.insert(BotEntity, row);
    return m.findOneByOrFail(BotEntity, { id: row.id });
  }

  async insertOwner(m: EntityManager, botId: string, ownerTelegramId: number): Promise<void> {
    await m.query(`INSERT INTO bot_admins (bot_id, telegram_id, is_owner) VALUES ($1, $2, true)`, [
      botId,
      ownerTelegramId,
    ]);
  }

  /** Marks the invite used by `botId` if it is still usable; its id, or undefined when it was not. */
  async consumeInvite(m: EntityManager, code: string, botId: string): Promise<string | undefined> {
    const rows: unknown[] = await m.query(
      `UPDATE invites SET used_at = now(), used_by_bot_id = $2, updated_at = now()
       WHERE code = $1 AND ${USABLE_INVITE} RETURNING id`,
      [code, botId],
    );
    // typeorm returns [rows, count] for UPDATE … RETURNING.
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as { id: string }[];
    return list[0]?.id;
  }
}
