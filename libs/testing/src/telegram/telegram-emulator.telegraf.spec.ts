import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Markup, Telegraf, TelegramError } from 'telegraf';
import { TelegramEmulator } from './telegram-emulator';

// Generous: these talk HTTP on a shared CI machine; they assert behaviour, not speed.
jest.setTimeout(30_000);

const alice = { id: 1001, first_name: 'Alice', username: 'alice', language_code: 'en' };

/**
 * Starts polling; `running` is the promise Telegraf's launch settles with when polling ends (wrapped,
 * because an async function returning a promise would wait for it).
 */
async function launchPolling(
  emulator: TelegramEmulator,
  bot: Telegraf,
  botId: number,
): Promise<{ running: Promise<void> }> {
  const running = bot.launch();
  running.catch(() => undefined);
  await emulator.waitForPolling(botId);
  return { running };
}

describe('TelegramEmulator with a real Telegraf bot', () => {
  let emulator: TelegramEmulator;
  const bots: Telegraf[] = [];

  beforeEach(async () => {
    emulator = await TelegramEmulator.start();
  });

  afterEach(async () => {
    for (const bot of bots.splice(0)) {
      try {
        bot.stop('test over');
      } catch {
        // already stopped
      }
    }
    await emulator.close();
  });

  function telegraf(token: string): Telegraf {
    const bot = new Telegraf(token, { telegram: { apiRoot: emulator.url } });
    bots.push(bot);
    return bot;
  }

  it('answers /start over long polling, then handles a button press with an answer and an edit', async () => {
    const { id, token, username } = emulator.createBot({ username: 'shop_bot' });
    const bot = telegraf(token);
    bot.start((ctx) =>
      ctx.reply(`Welcome, ${ctx.from.first_name}!`, Markup.inlineKeyboard([Markup.button.callback('Buy', 'buy:1')])),
    );
    bot.action('buy:1', async (ctx) => {
      await ctx.answerCbQuery('Order created');
      await ctx.editMessageText('Order #1 created');
    });
    const { running } = await launchPolling(emulator, bot, id);
    expect(bot.botInfo?.username).toBe(username);

    emulator.sendText(id, { from: alice, text: '/start' });
    const [welcome] = await emulator.waitForMessages(id, alice.id, 1);
    expect(welcome.text).toBe('Welcome, Alice!');
    expect(welcome.replyMarkup).toEqual({ inline_keyboard: [[{ text: 'Buy', callback_data: 'buy:1' }]] });

    const press = emulator.pressButton(id, { from: alice, messageId: welcome.messageId, buttonText: 'Buy' });
    const answer = await emulator.waitForCallbackAnswer(id, press.callbackQueryId);
    expect(answer).toMatchObject({ text: 'Order created', data: 'buy:1', fromUserId: alice.id, showAlert: false });
    const edited = await emulator.waitForEdit(id, alice.id, welcome.messageId);
    expect(edited.text).toBe('Order #1 created');
    // Editing without reply_markup removes the keyboard, as in Telegram.
    expect(edited.replyMarkup).toBeUndefined();
    expect(emulator.getChatMessages(id, alice.id)).toHaveLength(1);

    bot.stop('done');
    await running;
    const stats = emulator.getBotStats(id);
    expect(stats.calls).toMatchObject({ getMe: 1, deleteWebhook: 1, sendMessage: 1, answerCallbackQuery: 1 });
    expect(stats.status409).toBe(0);
    // Two updates answered (the /start reply, the edit after the press): two reply-latency samples.
    expect(emulator.getStats().replyLatencyMs.count).toBe(2);
    // Telegraf confirmed everything it handled when it stopped.
    expect(stats.pendingUpdates).toBe(0);
  });

  it('uploads a photo with multipart, and the bytes come back through getFile and the file URL', async () => {
    const { id, token } = emulator.createBot();
    const bot = telegraf(token);
    const bytes = Buffer.from('not really a jpeg, but bytes all the same');
    bot.command('qr', (ctx) =>
      ctx.replyWithPhoto(
        { source: bytes, filename: 'qr.jpg' },
        {
          caption: '<b>Your</b> config',
          parse_mode: 'HTML',
          ...Markup.inlineKeyboard([Markup.button.url('Help', 'https://example.com')]),
        },
      ),
    );
    const { running } = await launchPolling(emulator, bot, id);

    emulator.sendText(id, { from: alice, text: '/qr' });
    const [photo] = await emulator.waitForMessages(id, alice.id, 1);
    expect(photo.method).toBe('sendPhoto');
    expect(photo.caption).toBe('Your config');
    expect(photo.entities).toEqual([{ type: 'bold', offset: 0, length: 4 }]);
    expect(photo.photo?.length).toBeGreaterThan(1);
    expect(photo.replyMarkup).toMatchObject({ inline_keyboard: [[{ text: 'Help', url: 'https://example.com' }]] });

    const link = await bot.telegram.getFileLink(photo.photoFileId!);
    expect(link.href.startsWith(`${emulator.url}/file/bot${token}/`)).toBe(true);
    const download = await fetch(link);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    bot.stop('done');
    await running;
  });

  it('delivers to a Telegraf webhook with the secret header and executes its webhook replies', async () => {
    const { id, token } = emulator.createBot();
    const bot = telegraf(token);
    bot.start((ctx) => ctx.reply('hi', Markup.inlineKeyboard([Markup.button.callback('Ping', 'ping')])));
    // answerCbQuery is one of the calls Telegraf sends back in the webhook response body.
    bot.action('ping', (ctx) => ctx.answerCbQuery('pong'));
    const handler = bot.webhookCallback('/hook', { secretToken: 'hook-secret_1' });
    const receiver = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = receiver.address() as AddressInfo;
      await bot.telegram.setWebhook(`http://127.0.0.1:${port}/hook`, { secret_token: 'hook-secret_1' });

      emulator.sendText(id, { from: alice, text: '/start' });
      const [hi] = await emulator.waitForMessages(id, alice.id, 1);
      expect(hi.text).toBe('hi');
      const press = emulator.pressButton(id, { from: alice, messageId: hi.messageId, data: 'ping' });
      const answer = await emulator.waitForCallbackAnswer(id, press.callbackQueryId);
      expect(answer.text).toBe('pong');
      expect(emulator.getBotStats(id).webhook).toMatchObject({ deliveries: 2, failures: 0, hasSecretToken: true });
    } finally {
      await bot.telegram.deleteWebhook();
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('stops the older of two Telegraf instances polling one token with 409 Conflict', async () => {
    const { id, token } = emulator.createBot();
    const first = telegraf(token);
    const { running: firstRunning } = await launchPolling(emulator, first, id);
    const second = telegraf(token);
    second.start((ctx) => ctx.reply('second instance here'));
    const secondRunning = second.launch();
    secondRunning.catch(() => undefined);

    const error: unknown = await firstRunning.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(TelegramError);
    expect((error as TelegramError).code).toBe(409);
    expect((error as TelegramError).description).toBe(
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    );
    expect(emulator.getBotStats(id).status409).toBe(1);

    emulator.sendText(id, { from: alice, text: '/start' });
    const [reply] = await emulator.waitForMessages(id, alice.id, 1);
    expect(reply.text).toBe('second instance here');
    second.stop('done');
    await secondRunning;
  });
});
