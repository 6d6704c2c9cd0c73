import { Context } from 'telegraf';
import type { InlineKeyboardButton, Opts } from 'telegraf/types';
import type { Language } from '@botfleet/catalog';
import type { BotUser } from '@botfleet/users';
import { TextVars, translate } from '../i18n/translate';
import type { TextKey } from '../i18n/texts';
import type { BotProfile } from '../profile/bot-profile';
import { Outbox } from './outbox';

/** A screen: HTML text and an optional inline keyboard. */
export interface Screen {
  text: string;
  keyboard?: InlineKeyboardButton[][];
}

type SendExtra = Omit<Opts<'sendMessage'>, 'chat_id' | 'text'>;

/**
 * The context of one update, for every hosted bot: which bot (botId, profile), who is talking
 * (the tenant's user row and their language), and the outbox of calls sent after the update commits.
 * Handlers answer through `say`, `show` and `answerCallback` (deferred, exactly once); `ctx.telegram`
 * stays available for calls whose result a handler needs at once, which are then its own to make idempotent.
 */
export class BotContext extends Context {
  botId!: string;
  profile!: BotProfile;
  user: BotUser | null = null;
  /** The sender's row, already created or refreshed for this update by the batch pipeline (see identify). */
  preparedUser?: BotUser;
  lang!: Language;
  readonly outbox = new Outbox();

  t(key: TextKey, vars?: TextVars): string {
    return translate(this.lang, key, vars);
  }

  /** Queues an HTML message to this update's chat. */
  say(text: string, extra: SendExtra = {}): void {
    const chatId = this.chat?.id;
    if (chatId === undefined) return;
    this.outbox.add('sendMessage', {
      chat_id: chatId,
      text,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...extra,
    });
  }

  /** Shows a screen: edits the message a button was pressed on, or sends a new message. */
  show(screen: Screen): void {
    const markup = screen.keyboard?.length ? { inline_keyboard: screen.keyboard } : undefined;
    const msg = this.callbackQuery?.message;
    if (msg && 'chat' in msg) {
      this.outbox.add('editMessageText', {
        chat_id: msg.chat.id,
        message_id: msg.message_id,
        text: screen.text,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: markup,
      });
      return;
    }
    this.say(screen.text, markup ? { reply_markup: markup } : {});
  }

  /** Queues the answer to this update's callback query (stops the spinner on the button). */
  answerCallback(text?: string, showAlert = false): void {
    const id = this.callbackQuery?.id;
    if (!id) return;
    this.outbox.add('answerCallbackQuery', { callback_query_id: id, text, show_alert: showAlert || undefined });
  }
}
