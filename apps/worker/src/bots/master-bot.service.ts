import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import Redis from 'ioredis';
import { DomainError, ErrorCode, REDIS, scrubSecrets } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { TelegramBotApi } from '@botfleet/bot-api';
import { publishBotEvent } from '@botfleet/bots';
import { MasterBotRegistry } from '@botfleet/operator';

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
    private readonly registry: MasterBotRegistry,
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
    if (!admins.length) this.logger.warn('MASTER_ADMIN_TELEGRAM_IDS is empty: the master bot has no admin');
    const botId = await this.registry.register({
      token,
      telegramBotId: me.id,
      username: me.username,
      firstName: me.firstName,
      adminTelegramIds: admins,
    });
    await publishBotEvent(this.redis, this.config.REDIS_PREFIX, botId, 'changed');
    this.logger.log(`master bot @${me.username} is in place (${botId})`);
    return botId;
  }
}
