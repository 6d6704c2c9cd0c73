import type { Telegram } from 'telegraf';
import type { Opts, Telegram as ApiMethods } from 'telegraf/types';
import { isRecipientGone, RecipientGoneError } from './recipient-gone';

/**
 * Speaks as one bot, through its runtime's resilient client (429, 5xx and network retried; 401 reported).
 * Every call applies the one "user blocked the bot" rule: the user is marked and RecipientGoneError thrown.
 * Get one from `Messenger.as(bot)`.
 */
export class BotSender {
  constructor(
    readonly botId: string,
    private readonly telegram: Telegram,
    private readonly markGone: (chatId: number) => Promise<void>,
  ) {}

  sendMessage(...args: Parameters<Telegram['sendMessage']>): ReturnType<Telegram['sendMessage']> {
    return this.guard(args[0], () => this.telegram.sendMessage(...args));
  }

  sendPhoto(...args: Parameters<Telegram['sendPhoto']>): ReturnType<Telegram['sendPhoto']> {
    return this.guard(args[0], () => this.telegram.sendPhoto(...args));
  }

  editMessageReplyMarkup(
    ...args: Parameters<Telegram['editMessageReplyMarkup']>
  ): ReturnType<Telegram['editMessageReplyMarkup']> {
    return this.guard(args[0], () => this.telegram.editMessageReplyMarkup(...args));
  }

  /** Any Bot API method, for calls queued as data (the pipeline's outbox). */
  call<M extends keyof ApiMethods>(method: M, payload: Opts<M>): Promise<ReturnType<ApiMethods[M]>> {
    const chatId = (payload as { chat_id?: unknown }).chat_id;
    return this.guard(chatId, () => this.telegram.callApi(method, payload));
  }

  private async guard<T>(chatId: unknown, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (!isRecipientGone(err, chatId)) throw err;
      await this.markGone(chatId);
      throw new RecipientGoneError(chatId);
    }
  }
}
