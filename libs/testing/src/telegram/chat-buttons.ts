/** An inline button under a message the Telegram emulator recorded. */
export interface ChatButton {
  text: string;
  callback_data?: string;
  url?: string;
}

/** The inline buttons under a recorded message (`getChatMessages`), row after row. */
export const buttonsOf = (m: { replyMarkup?: unknown }): ChatButton[] =>
  ((m.replyMarkup as { inline_keyboard?: ChatButton[][] } | undefined)?.inline_keyboard ?? []).flat();

/** The callback data of the first button whose data starts with `prefix`. */
export const buttonData = (m: { replyMarkup?: unknown }, prefix: string): string | undefined =>
  buttonsOf(m).find((b) => b.callback_data?.startsWith(prefix))?.callback_data;
