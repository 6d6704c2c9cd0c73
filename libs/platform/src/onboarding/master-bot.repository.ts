import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PlatformDb } from '../platform-db';

export interface MasterBotRow {
  name: string;
  telegramBotId: number;
  telegramUsername: string;
  /** The token encrypted for the row's id (known only inside the transaction). */
  tokenCiphertextFor: (botId: string) => string;
  tokenKeyVersion: number;
  tokenHash: string;
  /** The first one is the owner; admins not listed are removed. */
  adminTelegramIds: readonly number[];
  /** Used only when the row is created. */
  webhookSecretSalt: string;
}

/**
 * The `is_master` bot row (a platform row: the master bot belongs to no tenant), created or brought up to
 * date in one transaction; several workers at once end with one row (the partial unique index on
 * `is_master` plus the row lock).
 */
@Injectable()
export class MasterBotRepository {
  constructor(private readonly platform: PlatformDb) {}

  async upsert(row: MasterBotRow): Promise<string> {
    const admins = [...row.adminTelegramIds];
    const owner = admins[0] ?? 0;
    return this.platform.transaction(async (m) => {
      const find = async () =>
        ((await m.query(`SELECT id FROM bots WHERE is_master FOR UPDATE`)) as { id: string }[])[0]?.id;
      let id = await find();
      if (!id) {
        const fresh = randomUUID();
        await m.query(
          `INSERT INTO bots (id, name, is_master, status, telegram_bot_id, telegram_username, telegram_token_ciphertext,
                             telegram_token_key_version, telegram_token_hash, owner_telegram_id, webhook_secret_salt, created_by)
           VALUES ($1, $2, true, 'active', $3, $4, $5, $6, $7, $8, $9, 'system') ON CONFLICT DO NOTHING`,
          [
            fresh,
            row.name,
            row.telegramBotId,
            row.telegramUsername,
            row.tokenCiphertextFor(fresh),
            row.tokenKeyVersion,
            row.tokenHash,
            owner,
            row.webhookSecretSalt,
          ],
        );
        id = await find();
        if (!id) throw new Error('the master bot row could not be created (is its token registered by a tenant?)');
      } else {
        await m.query(
          `UPDATE bots SET telegram_bot_id = $2, telegram_username = $3, telegram_token_ciphertext = $4,
                  telegram_token_key_version = $5, telegram_token_hash = $6, owner_telegram_id = $7,
                  status = CASE WHEN status = 'token_invalid' THEN 'active' ELSE status END, updated_at = now()
            WHERE id = $1`,
          [
            id,
            row.telegramBotId,
            row.telegramUsername,
            row.tokenCiphertextFor(id),
            row.tokenKeyVersion,
            row.tokenHash,
            owner,
          ],
        );
      }
      await m.query(`DELETE FROM bot_admins WHERE bot_id = $1 AND NOT (telegram_id = ANY($2::bigint[]))`, [id, admins]);
      for (const [i, tg] of admins.entries()) {
        await m.query(
          `INSERT INTO bot_admins (bot_id, telegram_id, is_owner) VALUES ($1, $2, $3)
           ON CONFLICT (bot_id, telegram_id) DO UPDATE SET is_owner = EXCLUDED.is_owner, updated_at = now()`,
          [id, tg, i === 0],
        );
      }
      return id;
    });
  }
}
