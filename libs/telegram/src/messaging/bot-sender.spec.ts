import { Telegram, TelegramError } from 'telegraf';
import { BotSender } from './bot-sender';
import { RecipientGoneError } from './recipient-gone';

/** A client whose every call fails with `err`. */
function failingClient(err: Error): Telegram {
  const telegram = new Telegram('1:test', { apiRoot: 'http://127.0.0.1:9' });
  telegram.callApi = () => Promise.reject(err);
  return telegram;
}

describe('BotSender', () => {
  it('marks a user who blocked the bot, whatever the send, and says so with RecipientGoneError', async () => {
    const marked: number[] = [];
    const blocked = new TelegramError({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    const sender = new BotSender('bot-1', failingClient(blocked), async (chatId) => {
      marked.push(chatId);
    });
    await expect(sender.sendMessage(42, 'hi')).rejects.toBeInstanceOf(RecipientGoneError);
    await expect(sender.sendPhoto(42, 'file-id')).rejects.toBeInstanceOf(RecipientGoneError);
    await expect(sender.call('sendMessage', { chat_id: 42, text: 'hi' })).rejects.toBeInstanceOf(RecipientGoneError);
    expect(marked).toEqual([42, 42, 42]);
  });

  it('passes any other failure on unchanged and marks nobody', async () => {
    const marked: number[] = [];
    const noRights = new TelegramError({ error_code: 403, description: 'Forbidden: not enough rights' });
    const sender = new BotSender('bot-1', failingClient(noRights), async (chatId) => {
      marked.push(chatId);
    });
    await expect(sender.sendMessage(-100, 'hi')).rejects.toBe(noRights);
    await expect(sender.sendMessage(42, 'hi')).rejects.toBe(noRights);
    expect(marked).toEqual([]);
  });
});
