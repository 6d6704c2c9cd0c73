import { TelegramError } from 'telegraf';
import { isRecipientGone } from './recipient-gone';

const refused = (description: string, code = 403) => new TelegramError({ error_code: code, description });

describe('isRecipientGone', () => {
  it('is true for a 403 that says the user blocked the bot or is gone, in a chat with a user', () => {
    expect(isRecipientGone(refused('Forbidden: bot was blocked by the user'), 42)).toBe(true);
    expect(isRecipientGone(refused('Forbidden: user is deactivated'), 42)).toBe(true);
    expect(isRecipientGone(refused("Forbidden: bot can't initiate conversation with a user"), 42)).toBe(true);
  });

  it('is false for any other 403: the user is not marked for what a group or a bot chat refused', () => {
    expect(isRecipientGone(refused('Forbidden: not enough rights to send text messages to the chat'), 42)).toBe(false);
    expect(isRecipientGone(refused("Forbidden: bot can't send messages to bots"), 42)).toBe(false);
    expect(isRecipientGone(refused('Forbidden: bot was kicked from the supergroup chat'), -100123)).toBe(false);
  });

  it('is false for other failures and for chats that are not a user', () => {
    expect(isRecipientGone(refused('Bad Request: chat not found', 400), 42)).toBe(false);
    expect(isRecipientGone(refused('Unauthorized', 401), 42)).toBe(false);
    expect(isRecipientGone(new Error('socket hang up'), 42)).toBe(false);
    expect(isRecipientGone(refused('Forbidden: bot was blocked by the user'), '@channel')).toBe(false);
    expect(isRecipientGone(refused('Forbidden: bot was blocked by the user'), undefined)).toBe(false);
  });
});
