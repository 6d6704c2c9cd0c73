import { Telegraf } from 'telegraf';
import type { UserFromGetMe } from 'telegraf/types';
import { BotContext } from '../context/bot-context';
import { DEFAULT_RETRY_POLICY, ResilientTelegram, RetryPolicy, TelegramHooks } from './resilient-telegram';

export interface HostedBotIdentity {
  /** Our id (bots.id). */
  botId: string;
  telegramBotId: number;
  username: string;
  name: string;
}

export interface CreateBotOptions {
  /** TELEGRAM_API_ROOT: Telegram itself, a local Bot API server, or the emulator. */
  apiRoot: string;
  hooks?: TelegramHooks;
  retry?: RetryPolicy;
}

/**
 * One Telegraf instance per hosted bot. The token lives only inside the instance (never logged; Telegraf
 * redacts it from its own errors and our logger scrubs anything token-shaped). `webhookReply` is off:
 * every call is a real request whose outcome we see, never a fire-and-forget webhook answer. The bot's
 * identity comes from our database (filled from getMe at registration), so starting thousands of bots
 * costs no getMe calls. The handler composition is attached by the caller (`bot.use(composition)`).
 */
export function createHostedBot(
  token: string,
  identity: HostedBotIdentity,
  opts: CreateBotOptions,
): Telegraf<BotContext> {
  const telegramOptions = { apiRoot: opts.apiRoot, webhookReply: false };
  const bot = new Telegraf<BotContext>(token, { telegram: telegramOptions, contextType: BotContext });
  bot.telegram = new ResilientTelegram(token, telegramOptions, opts.hooks, opts.retry ?? DEFAULT_RETRY_POLICY);
  bot.botInfo = botInfoOf(identity);
  return bot;
}

export function botInfoOf(identity: HostedBotIdentity): UserFromGetMe {
  return {
    id: identity.telegramBotId,
    is_bot: true,
    first_name: identity.name,
    username: identity.username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
}
