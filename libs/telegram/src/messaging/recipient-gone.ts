import { classifyTelegramError, isUserGoneDescription } from '../client/telegram-errors';

/**
 * The one rule for "this user will not receive anything from the bot": Telegram refused the call (403)
 * saying the user blocked the bot or is gone, in a chat with a user (a private chat's id is the user's id,
 * positive). A 403 in a group (the bot lost its rights there) says nothing about any user.
 */
export function isRecipientGone(err: unknown, chatId: unknown): chatId is number {
  if (typeof chatId !== 'number' || chatId <= 0) return false;
  const failure = classifyTelegramError(err);
  return failure.kind === 'forbidden' && isUserGoneDescription(failure.description);
}

/** A send to a user who blocked the bot or is gone; the user is already marked (`bot_blocked_at`). */
export class RecipientGoneError extends Error {
  constructor(readonly chatId: number) {
    super('The user blocked the bot or is gone');
    this.name = 'RecipientGoneError';
  }
}
