import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { DomainError, ErrorCode, REDIS, scrubSecrets } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { PlatformDb, publishBotEvent } from '@botfleet/platform';
import { randomSecret, SecretBox, TokenHasher } from '@botfleet/secrets';
import { TelegramBotApi } from '@botfleet/telegram';

/**
 * With MASTER_BOT_TOKEN set, makes sure the `is_master` bot row exists and carries that token
 * (encrypted, identity from getMe, status active), with MASTER_ADMIN_TELEGRAM_IDS as its admins — the
 * first one its owner. It then runs like any other bot. Runs in the background at boot and retries while
 * Telegram or the database are unreachable; several workers booting at once end with one row.
 */
@Injectable()
export class MasterBotService implements OnApplicationBootstrap {
  private readonly logger = new Logger(MasterBotService.name);
  private readonly api: TelegramBotApi;
  private done?: Promise<string | null>;

  constructor(
    private readonly config: AppConfig,
    private readonly platform: PlatformDb,
    private readonly box: SecretBox,
    private readonly hasher: TokenHasher,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.api = new TelegramBotApi(config.TELEGRAM_API_ROOT);
  }

  onApplicationBootstrap(): void {
    if (!this.config.MASTER_BOT_TOKEN) return;
    this.done = this.ensureWithRetry();
  }

  /** Resolves with the master bot's id once it is in place (null without MASTER_BOT_TOKEN). */
  whenReady(): Promise<string | null> {
    return this.done ?? Promise.resolve(null);
  }

  private async ensureWithRetry(): Promise<string | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ensure(this.config.MASTER_BOT_TOKEN!);
      } catch (e) {
        if (DomainError.is(e, ErrorCode.TELEGRAM_TOKEN_REJECTED)) {
          this.logger.error('MASTER_BOT_TOKEN is rejected by Telegram; the master bot does not run');
          return null;
        }
        const delay = Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5));
        this.logger.warn(`master bot setup failed (${scrubSecrets(String(e))}); retrying in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  async ensure(token: string): Promise<string> {
    const me = await this.api.getMe(token);
    const admins = this.config.masterAdminTelegramIds;
    const owner = admins[0] ?? 0;
    if (!admins.length) this.logger.warn('MASTER_ADMIN_TELEGRAM_IDS is empty: the master bot has no admin');
    const tokenHash = this.hasher.hmac(token);
    const botId = await this.platform.transaction(async (m) => {
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
            (me.firstName || 'Master').slice(0, 100),
            me.id,
            me.username,
            this.box.encrypt(token, fresh),
            this.box.currentVersion,
            tokenHash,
            owner,
            randomSecret(16),
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
          [id, me.id, me.username, this.box.encrypt(token, id), this.box.currentVersion, tokenHash, owner],
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
    await publishBotEvent(this.redis, this.config.REDIS_PREFIX, botId, 'changed');
    this.logger.log(`master bot @${me.username} is in place (${botId})`);
    return botId;
  }
}
