import { TelegramEmulator, waitFor } from '@botfleet/testing';

/** A message of a chat in the Telegram emulator, as `getChatMessages` lists it. */
export type ChatMessage = ReturnType<TelegramEmulator['getChatMessages']>[number];
export type InlineButton = { text: string; callback_data?: string };

/** The inline buttons under a message, row after row. */
export const buttonsOf = (m: ChatMessage): InlineButton[] =>
  ((m.replyMarkup as { inline_keyboard?: InlineButton[][] } | undefined)?.inline_keyboard ?? []).flat();

/** The callback data of the first button whose data starts with `prefix`. */
export const buttonData = (m: ChatMessage, prefix: string): string | undefined =>
  buttonsOf(m).find((b) => b.callback_data?.startsWith(prefix))?.callback_data;

/** Waits until the chat `chatId` of the bot `botTelegramId` has a bot message matching `match` (new or edited). */
export const waitForBotMessage = (
  emu: TelegramEmulator,
  botTelegramId: number,
  chatId: number,
  match: (m: ChatMessage) => boolean,
  timeoutMs = 15_000,
): Promise<ChatMessage> =>
  waitFor(
    () =>
      emu
        .getChatMessages(botTelegramId, chatId)
        .filter((m) => m.direction === 'bot')
        .find(match),
    timeoutMs,
  );

/**
 * A private-chat `/start` from `from` carrying the update id given: for `pushUpdate`, to send a bot an id that
 * another Telegram bot already sent (update ids are per Telegram bot).
 */
export const startUpdateWithId = (updateId: number | null, from: { id: number; first_name: string }) => ({
  update_id: updateId,
  message: {
    message_id: 1,
    date: Math.floor(Date.now() / 1000),
    chat: { id: from.id, type: 'private', first_name: from.first_name },
    from: { id: from.id, is_bot: false, first_name: from.first_name },
    text: '/start',
    entities: [{ type: 'bot_command', offset: 0, length: 6 }],
  },
});

/** The worker env of quick bot take-overs (one definition, in `@botfleet/testing`). */
export { QUICK_BOT_LEASES } from '@botfleet/testing';
