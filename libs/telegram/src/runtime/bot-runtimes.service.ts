import { Injectable, Logger } from '@nestjs/common';
import { Telegraf } from 'telegraf';
import type { UserFromGetMe } from 'telegraf/types';
import { AppConfig } from '@botfleet/config';
import { SecretBox } from '@botfleet/secrets';
import { DEFAULT_RETRY_POLICY, ResilientTelegram, TelegramHooks } from '../client/resilient-telegram';
import { BotComposition } from '../composition/bot-composition.service';
import { SendBudget } from '../budget/send-budget';
import { BotContext } from '../context/bot-context';
import { BotCredentials, BotRuntime } from './bot-runtime';

/** Told about trouble seen on any bot's client (the worker stops a bot whose token is rejected, counts the rest). */
export interface RuntimeObserver {
  /** Telegram answered 401 to a call made with this token: it was revoked or replaced. */
  tokenRejected(botId: string, tokenHash: string): void;
  /** A 429 waited out, or a 5xx / network error retried. */
  trouble(kind: '429' | 'server' | 'network'): void;
}

/**
 * The one place a bot's Telegram client is built: its token decrypted (SecretBox, the bot id as associated
 * data), one Telegraf instance per bot with the shared handler composition, the resilient client inside it,
 * and the 401 hook on every client, so a revoked token is noticed by whatever call meets it first — an
 * update's answer, a notification, a delivery or an owner alert. Runtimes are kept per bot and reused while
 * the token stays the same.
 *
 * The token lives only inside the instance (never logged; Telegraf redacts it from its own errors and our
 * logger scrubs anything token-shaped). `webhookReply` is off: every call is a real request whose outcome we
 * see. The identity comes from our database (filled from getMe at registration), so starting thousands of
 * bots costs no getMe calls.
 */
@Injectable()
export class BotRuntimes {
  private readonly logger = new Logger(BotRuntimes.name);
  private readonly runtimes = new Map<string, BotRuntime>();
  private observer?: RuntimeObserver;

  constructor(
    private readonly composition: BotComposition,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
    private readonly budget: SendBudget,
  ) {}

  /** Who hears about rejected tokens and retries (one observer per process: the worker's). */
  observe(observer: RuntimeObserver): void {
    this.observer = observer;
  }

  /** The bot's runtime for these credentials, built on first need. Throws when the token cannot be decrypted. */
  for(bot: BotCredentials): BotRuntime {
    const existing = this.runtimes.get(bot.botId);
    if (existing?.tokenHash === bot.tokenHash) return existing;
    const token = this.box.decrypt(bot.tokenCiphertext, bot.botId);
    const telegraf = this.createTelegraf(token, bot);
    const runtime: BotRuntime = { botId: bot.botId, tokenHash: bot.tokenHash, telegraf };
    this.runtimes.set(bot.botId, runtime);
    return runtime;
  }

  /** The runtime already built for this bot, whatever its token. */
  cached(botId: string): BotRuntime | undefined {
    return this.runtimes.get(botId);
  }

  /** Forgets the bot's runtime (only if it still has `tokenHash`, when given). True when one was dropped. */
  drop(botId: string, tokenHash?: string): boolean {
    const existing = this.runtimes.get(botId);
    if (!existing || (tokenHash !== undefined && existing.tokenHash !== tokenHash)) return false;
    this.runtimes.delete(botId);
    return true;
  }

  /** Drops every runtime `keep` says no to; returns the ids of the bots dropped. */
  retain(keep: (botId: string, tokenHash: string) => boolean): string[] {
    const dropped: string[] = [];
    for (const [botId, runtime] of this.runtimes) {
      if (keep(botId, runtime.tokenHash)) continue;
      this.runtimes.delete(botId);
      dropped.push(botId);
    }
    return dropped;
  }

  private createTelegraf(token: string, bot: BotCredentials): Telegraf<BotContext> {
    const options = { apiRoot: this.config.TELEGRAM_API_ROOT, webhookReply: false };
    const telegraf = new Telegraf<BotContext>(token, { telegram: options, contextType: BotContext });
    // Every message of the bot waits its turn in the bot's send budget (shared by all processes).
    const gate = this.budget.gate(bot.botId);
    telegraf.telegram = new ResilientTelegram(token, options, this.hooksFor(bot), DEFAULT_RETRY_POLICY, gate);
    telegraf.botInfo = botInfoOf(bot);
    telegraf.use(this.composition.middleware);
    return telegraf;
  }

  private hooksFor(bot: BotCredentials): TelegramHooks {
    return {
      onUnauthorized: () => {
        if (this.observer) this.observer.tokenRejected(bot.botId, bot.tokenHash);
        else this.logger.warn(`bot ${bot.botId}: Telegram rejected the token (401)`);
      },
      onRateLimited: () => this.observer?.trouble('429'),
      onRetry: (_method, kind) => this.observer?.trouble(kind === 'server' ? 'server' : 'network'),
    };
  }
}

function botInfoOf(bot: BotCredentials): UserFromGetMe {
  return {
    id: bot.telegramBotId,
    is_bot: true,
    first_name: bot.name,
    username: bot.username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
}
