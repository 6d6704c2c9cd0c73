import type { Message, Update } from './bot-api-types';
import { TelegramEmulator } from './telegram-emulator';
import { TelegramEmulatorClient, TelegramEmulatorClientError } from './telegram-emulator.client';

// Generous: these talk HTTP on a shared CI machine; they assert behaviour, not speed.
jest.setTimeout(30_000);

const henry = { id: 7001, first_name: 'Henry', language_code: 'fa' };

describe('TelegramEmulatorClient (control API over HTTP)', () => {
  let emulator: TelegramEmulator;
  let client: TelegramEmulatorClient;

  beforeAll(async () => {
    emulator = await TelegramEmulator.start();
    client = new TelegramEmulatorClient(`${emulator.url}/`);
  });

  afterAll(async () => {
    await emulator.close();
  });

  beforeEach(async () => {
    await client.reset();
  });

  it('registers bots and plays a user conversation, reading the replies back', async () => {
    const bot = await client.createBot({ username: 'vpn_shop_bot' });
    expect(bot).toEqual({ id: expect.any(Number), token: expect.stringMatching(/^\d+:/), username: 'vpn_shop_bot' });
    const me = await client.botApi<{ username: string }>(bot.token, 'getMe');
    expect(me).toEqual({
      status: 200,
      body: { ok: true, result: expect.objectContaining({ username: 'vpn_shop_bot' }) },
    });

    const sent = await client.sendText(bot.id, { from: henry, text: '/start ref_42' });
    expect(sent.message).toMatchObject({
      text: '/start ref_42',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
    });
    const updates = await client.getPendingUpdates(bot.token);
    expect(updates.map((update) => update.update_id)).toEqual([sent.updateId]);

    // The wait is answered by the emulator as soon as the reply lands, not by polling.
    const waiting = client.waitForMessages(bot.id, henry.id, 1, 3_000);
    setTimeout(() => {
      void client.botApi(bot.token, 'sendMessage', {
        chat_id: henry.id,
        text: 'Pick a plan',
        reply_markup: { inline_keyboard: [[{ text: '1 month', callback_data: 'plan:1' }]] },
      });
    }, 50);
    const [reply] = await waiting;
    expect(reply).toMatchObject({ direction: 'bot', text: 'Pick a plan', messageId: 2 });
    expect(await client.getChatMessages(bot.id, henry.id, { includeUser: true })).toHaveLength(2);

    const press = await client.pressButton(bot.id, { from: henry, messageId: reply.messageId, data: 'plan:1' });
    const answering = client.waitForCallbackAnswer(bot.id, press.callbackQueryId);
    await client.botApi(bot.token, 'answerCallbackQuery', { callback_query_id: press.callbackQueryId, text: 'ok' });
    expect(await answering).toMatchObject({ text: 'ok', data: 'plan:1' });
    expect(await client.getCallbackAnswers(bot.id)).toHaveLength(1);

    await client.botApi(bot.token, 'editMessageText', {
      chat_id: henry.id,
      message_id: reply.messageId,
      text: 'Plan chosen',
    });
    expect((await client.waitForEdit(bot.id, henry.id, reply.messageId)).text).toBe('Plan chosen');
  });

  it('reports failures with the HTTP status: unknown bots 404, wait timeouts 408, bad input 400', async () => {
    const bot = await client.createBot();
    await expect(client.getBotStats(123)).rejects.toMatchObject({ status: 404 });
    const timeout = await client.waitForMessages(bot.id, henry.id, 1, 50).catch((error: unknown) => error);
    expect(timeout).toBeInstanceOf(TelegramEmulatorClientError);
    expect(timeout).toMatchObject({ status: 408, message: expect.stringContaining('got 0 bot messages') });
    await expect(client.sendText(bot.id, { from: henry, text: '' })).rejects.toMatchObject({ status: 400 });
    await expect(client.createBot({ token: 'bad' })).rejects.toMatchObject({ status: 400 });
  });

  it('sends photos from buffers, pushes raw updates and batches, and controls tokens', async () => {
    const bot = await client.createBot();
    const bytes = Buffer.from('photo over http');
    const overHttp = await client.sendPhoto(bot.id, { from: henry, bytes });
    const inProcess = emulator.sendPhoto(bot.id, { from: henry, bytes });
    expect(overHttp.fileUniqueIds).toEqual(inProcess.fileUniqueIds);

    const pushed = await client.pushUpdate(bot.id, {
      edited_message: { message_id: 1, text: 'edited', chat: { id: 1 } },
    });
    const results = await client.sendTexts([
      { bot: bot.id, from: henry, text: 'one' },
      { bot: bot.token, from: { id: 7002 }, text: 'two' },
    ]);
    expect(results.map((result) => result.chatId)).toEqual([henry.id, 7002]);
    const pending = await client.getPendingUpdates(bot.id);
    expect(pending.map((update: Update) => Object.keys(update).find((key) => key !== 'update_id'))).toEqual([
      'message',
      'message',
      'edited_message',
      'message',
      'message',
    ]);
    expect(pending[2].update_id).toBe(pushed.updateId);

    await client.revokeToken(bot.id);
    expect((await client.botApi(bot.token, 'getMe')).status).toBe(401);
    await client.restoreToken(bot.id);
    expect((await client.botApi(bot.token, 'getMe')).status).toBe(200);
    await client.deleteBot(bot.id);
    expect((await client.botApi(bot.token, 'getMe')).status).toBe(401);
  });

  it('runs payments and faults, and exposes counters', async () => {
    const bot = await client.createBot();
    const invoice = await client.botApi<Message>(bot.token, 'sendInvoice', {
      chat_id: henry.id,
      title: 'VPN',
      description: '30 days',
      payload: 'order:1',
      currency: 'XTR',
      prices: [{ label: '30 days', amount: 100 }],
    });
    const paying = client.payInvoice(bot.id, { from: henry, invoiceMessageId: invoice.body.result!.message_id });
    const [preCheckout] = (await client.botApi<Update[]>(bot.token, 'getUpdates', { timeout: 5 })).body.result!;
    await client.botApi(bot.token, 'answerPreCheckoutQuery', {
      pre_checkout_query_id: preCheckout.pre_checkout_query!.id,
      ok: true,
    });
    const paid = await paying;
    expect(paid.payment?.message.successful_payment).toMatchObject({ invoice_payload: 'order:1', total_amount: 100 });
    expect(await client.getPreCheckoutAnswers(bot.id)).toHaveLength(1);
    expect(await client.getInvoices(bot.id)).toHaveLength(1);
    await client.botApi(bot.token, 'refundStarPayment', {
      user_id: henry.id,
      telegram_payment_charge_id: paid.payment!.telegramPaymentChargeId,
    });
    expect(await client.getRefunds(bot.id)).toHaveLength(1);
    expect((await client.getPayments(bot.id))[0].refunded).toBe(true);

    await client.setFaults(bot.id, { rateLimit: { perSecond: 1, retryAfter: 3 } });
    await client.botApi(bot.token, 'sendMessage', { chat_id: henry.id, text: 'a' });
    const limited = await client.botApi(bot.token, 'sendMessage', { chat_id: henry.id, text: 'b' });
    expect(limited).toMatchObject({ status: 429, body: { parameters: { retry_after: 3 } } });
    await client.clearFaults(bot.id);
    expect((await client.botApi(bot.token, 'sendMessage', { chat_id: henry.id, text: 'c' })).status).toBe(200);

    const blocked = await client.blockBot(bot.id, { from: henry });
    expect(blocked.updateId).toEqual(expect.any(Number));
    expect((await client.botApi(bot.token, 'sendMessage', { chat_id: henry.id, text: 'd' })).status).toBe(403);
    await client.unblockBot(bot.id, { from: henry });

    const stats = await client.getBotStats(bot.id);
    expect(stats).toMatchObject({ status429: 1, sentMessages: 3, errors: { '403': 1, '429': 1 } });
    expect(stats.calls.sendMessage).toBe(4);
    const global = await client.getStats();
    expect(global).toMatchObject({ bots: 1, status429: 1, sentMessages: 3 });
    await client.resetStats();
    expect(await client.getBotStats(bot.id)).toMatchObject({ status429: 0, sentMessages: 0, calls: {}, errors: {} });
    expect(await client.getStats()).toMatchObject({ bots: 1, status429: 0, sentMessages: 0 });
  });
});
