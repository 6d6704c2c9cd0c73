import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DomainError, ErrorCode, REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BotSelfRepository, TenantDb } from '@botfleet/dal';
import { AdminAccessService } from '../admins/admin-access.service';
import { ConsoleLinksService, IssuedConsoleLink } from './console-links.service';

/** At most this many links per owner and bot in one window (a link lives CONSOLE_LINK_TTL_S; a few retries suffice). */
export const OWNER_SETTINGS_LINKS_PER_WINDOW = 5;
export const OWNER_SETTINGS_LINK_WINDOW_S = 600;

export type OwnerSettingsLinkResult =
  | { kind: 'issued'; link: IssuedConsoleLink }
  /** The presser is not (or no longer) the bot's owner, or the bot is gone: nothing issued. */
  | { kind: 'notOwner' }
  /** The bot runs (its token works, it is not paused): the bot itself gives console links (/admin). Nothing issued. */
  | { kind: 'notNeeded' };

/**
 * The revoked-token notice's "Open Settings" button in the master bot: a one-time console sign-in link for the
 * bot's owner, landing on its Settings page, where the new token from @BotFather is pasted. The bot cannot give
 * one itself (Telegram refuses its token). The same under the notice of a deleted bot the operator restored: it is
 * paused (it does not run, so its /admin cannot give a link) and its API token was revoked, so without this its
 * owner could not sign in to resume it. Only while the presser is still the bot's owner (bots row and their owner
 * role) and the bot is still token_invalid or paused; repeated presses are limited per owner and bot (RATE_LIMITED).
 */
@Injectable()
export class IssueOwnerSettingsLinkUseCase {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly db: TenantDb,
    private readonly self: BotSelfRepository,
    private readonly access: AdminAccessService,
    private readonly links: ConsoleLinksService,
  ) {}

  async execute(botId: string, telegramId: number, now = Date.now()): Promise<OwnerSettingsLinkResult> {
    const bot = await this.db.run(botId, () => this.self.get(botId));
    if (!bot || bot.status === 'deleted' || bot.isMaster || Number(bot.ownerTelegramId) !== telegramId) {
      return { kind: 'notOwner' };
    }
    if ((await this.access.roleOf(botId, telegramId)) !== 'owner') return { kind: 'notOwner' };
    if (bot.status !== 'token_invalid' && bot.status !== 'paused') return { kind: 'notNeeded' };
    await this.consume(botId, telegramId, now);
    return { kind: 'issued', link: await this.links.issueForAdmin(botId, telegramId, `/bots/${botId}/settings`) };
  }

  /** A fixed window per (bot, owner): INCR and an expiry in one round trip; what was counted stays counted. */
  private async consume(botId: string, telegramId: number, now: number): Promise<void> {
    const windowS = OWNER_SETTINGS_LINK_WINDOW_S;
    const slot = Math.floor(now / 1000 / windowS);
    const key = `${this.config.REDIS_PREFIX}:console-link:owner-rl:${botId}:${telegramId}:${slot}`;
    const res = await this.redis
      .multi()
      .incr(key)
      .expire(key, windowS + 5)
      .exec();
    if (Number(res?.[0]?.[1] ?? 0) > OWNER_SETTINGS_LINKS_PER_WINDOW) {
      const retryAfterSeconds = Math.max(1, (slot + 1) * windowS - Math.floor(now / 1000));
      throw new DomainError(ErrorCode.RATE_LIMITED, 'Too many sign-in links; wait a few minutes', {
        retryAfterSeconds,
      });
    }
  }
}
