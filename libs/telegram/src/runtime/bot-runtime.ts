import type { Telegraf } from 'telegraf';
import type { BotEntity } from '@botfleet/dal';
import type { BotContext } from '../context/bot-context';

/** What it takes to run or speak as a bot: its identity and its encrypted Telegram token. */
export interface BotCredentials {
  /** Our id (bots.id), also the token's associated data. */
  botId: string;
  telegramBotId: number;
  username: string;
  name: string;
  tokenCiphertext: string;
  /** Tells one token from its replacement: a runtime is only reused for the same token. */
  tokenHash: string;
}

/** A bot's Telegraf instance in this process: the token inside, the shared composition attached. */
export interface BotRuntime {
  readonly botId: string;
  readonly tokenHash: string;
  readonly telegraf: Telegraf<BotContext>;
}

/** The credentials of a tenant's own bot row (tenant path). */
export function credentialsOf(bot: BotEntity): BotCredentials {
  return {
    botId: bot.id,
    telegramBotId: bot.telegramBotId,
    username: bot.telegramUsername,
    name: bot.name,
    tokenCiphertext: bot.telegramTokenCiphertext,
    tokenHash: bot.telegramTokenHash.trim(),
  };
}
