import { INestApplication } from '@nestjs/common';
import { panelUsername, ProvisioningService } from '@botfleet/provisioning';
import { RemnawaveEmulator, TelegramEmulator, TestContext, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

type Keyboard = { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;

/**
 * /subs tells the truth (PRODUCT.md C12): a subscription the user paid for and that is still being prepared
 * is listed as such (not "no subscriptions yet"), and an active one has a button that sends its QR code again,
 * to its owner only. The real worker hosting the bot (polling the Telegram emulator), PostgreSQL, Redis and
 * the Remnawave emulator; the sale's provisioning jobs are not consumed, so the second purchase stays pending.
 */
describe('/subs (worker hosting the bot, Telegram and panel emulators)', () => {
  jest.setTimeout(60_000);

  let world: WorkerWorld;
  let telegram: TelegramEmulator;
  let ctx: TestContext;
  let worker: INestApplication | undefined;
  let rw: RemnawaveEmulator;

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: { TRAFFIC_SYNC_INTERVAL_MS: '0', SALE_SWEEP_INTERVAL_MS: '60000' },
      panels: ['remnawave'],
      // The sale's jobs go where no worker reads: provisioning runs only when the test asks for it.
      jobs: 'detached',
      createWorker: createWorkerApp,
    });
    ({ telegram, ctx, worker, rw } = world);
  });

  afterAll(() => world?.close());

  it('lists a subscription being prepared, and re-sends the QR code of an active one to its owner only', async () => {
    const panel = await world.newRemnawavePanel();
    const bot = await ctx.newBot({ walletMinor: 1_000_000 });
    const from = { id: 7_300_001, first_name: 'Buyer' };
    const buyer = await ctx.newUser(bot.id, { telegramId: from.id, language: 'en' });
    const plan = (await ctx.newPlan(bot.id, { panelId: panel.id, name: { en: 'Gold' } })).id;
    const ready = await ctx.newPaidOrder(bot.id, { userId: buyer.id, planId: plan });
    await worker!.get(ProvisioningService).provision(bot.id, ready.subscriptionId, ready.orderId);
    // Paid a moment ago: its account is still on its way.
    await ctx.newPaidOrder(bot.id, { userId: buyer.id, planId: plan });
    await telegram.waitForPolling(bot.telegram.id, 15_000);

    telegram.sendText(bot.telegram.id, { from, text: '/subs' });
    const list = await waitFor(
      async () =>
        telegram
          .getChatMessages(bot.telegram.id, from.id)
          .find((m) => m.direction === 'bot' && (m.text ?? '').includes('My subscriptions')),
      15_000,
    );
    expect(list.text).toContain('1. Gold — 🟢 active');
    expect(list.text).toContain('2. Gold — ⏳ being prepared');
    expect(list.text).toContain('will arrive here shortly');
    expect(list.text).not.toContain('no subscriptions');
    const qr = ((list.replyMarkup as Keyboard)?.inline_keyboard ?? [])
      .flat()
      .find((b) => b.text.includes('QR code'))?.callback_data;
    expect(qr).toBeDefined();

    const photosBefore = () =>
      telegram.getChatMessages(bot.telegram.id, from.id).filter((m) => m.method === 'sendPhoto').length;
    // The delivery of the first one has come (its own photo) before the button is pressed.
    await waitFor(async () => photosBefore() >= 1, 15_000);
    const before = photosBefore();
    await telegram.pressButton(bot.telegram.id, { from, messageId: list.messageId, data: qr! });
    await waitFor(async () => photosBefore() === before + 1, 15_000);
    const photo = telegram
      .getChatMessages(bot.telegram.id, from.id)
      .filter((m) => m.method === 'sendPhoto')
      .at(-1)!;
    const url = rw.account(panelUsername(ready.subscriptionId, 'remnawave'))!.subscriptionUrl;
    expect(photo.caption).toContain('QR code of your subscription link');
    expect(photo.caption).toContain(url);
    expect(photo.photoFileId).toBeTruthy();

    // Another user sending the same button data gets nothing of it.
    const stranger = { id: 7_300_002, first_name: 'Stranger' };
    telegram.sendText(bot.telegram.id, { from: stranger, text: '/start' });
    const menu = await waitFor(
      async () => telegram.getChatMessages(bot.telegram.id, stranger.id).find((m) => m.direction === 'bot'),
      15_000,
    );
    const forged = await telegram.pressButton(bot.telegram.id, {
      from: stranger,
      messageId: menu.messageId,
      data: qr!,
      forged: true,
    });
    const answer = await telegram.waitForCallbackAnswer(bot.telegram.id, forged.callbackQueryId, 15_000);
    expect(answer.text).toContain('not available');
    expect(telegram.getChatMessages(bot.telegram.id, stranger.id).some((m) => m.method === 'sendPhoto')).toBe(false);
  });
});
