import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  buttonData,
  QUICK_BOT_LEASES,
  TelegramEmulator,
  TestBot,
  TestContext,
  waitFor,
  WorkerWorld,
  ZarinpalEmulator,
} from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';
import { PaymentsProcessor } from './payments.processor';

const GONE_WRONG = /Something went wrong/;

/**
 * The payment link job's final-failure hook run more than once, as the job runner does when the hook throws: a real
 * worker hosts the bot against the Telegram emulator, Zarinpal is the emulator holding its answer (the link job
 * still waiting on it). The first call fails the payment and then cannot reach Telegram; the next call still tells
 * the buyer, once; a further call tells nobody.
 */
describe('Zarinpal pay link: the gave-up hook runs again after Telegram failed it (worker, emulators)', () => {
  jest.setTimeout(90_000);
  let zp: ZarinpalEmulator;
  let world: WorkerWorld;
  let telegram: TelegramEmulator;
  let ctx: TestContext;
  let platform: DataSource;
  let bot: TestBot;
  const merchantId = randomUUID();
  const buyer = { id: 954_001, first_name: 'Buyer', language_code: 'en' };

  beforeAll(async () => {
    zp = await ZarinpalEmulator.start();
    zp.addMerchant(merchantId);
    world = await WorkerWorld.start({
      env: {
        ...QUICK_BOT_LEASES,
        BOT_POLL_TIMEOUT_S: '1',
        SALE_SWEEP_INTERVAL_MS: '0',
        TRAFFIC_SYNC_INTERVAL_MS: '0',
        ZARINPAL_BASE_URL: zp.url,
        ZARINPAL_SANDBOX_BASE_URL: zp.url,
      },
    });
    ({ telegram, platform, ctx } = world);
    bot = await ctx.newBot({ currency: 'IRR', walletMinor: 10_000_000, defaultLanguage: 'en' });
    await ctx.enableZarinpal(bot.id, merchantId);
    await ctx.newPlan(bot.id, { name: { en: 'Month' }, priceMinor: 50_000 });
    await world.startWorker(createWorkerApp);
    await telegram.waitForPolling(bot.telegram.id, 15_000);
  });

  afterAll(async () => {
    await world?.close();
    await zp?.close();
  });

  it('a first call that fails after failing the payment leaves the telling to the next call, which tells once', async () => {
    const messages = () => telegram.getChatMessages(bot.telegram.id, buyer.id).filter((m) => m.direction === 'bot');
    const sends = () => {
      const calls = telegram.getBotStats(bot.telegram.id).calls;
      return { edits: calls.editMessageText ?? 0, messages: calls.sendMessage ?? 0 };
    };
    telegram.sendText(bot.telegram.id, { from: buyer, text: '/buy' });
    const plans = await waitFor(() => messages().find((m) => !!buttonData(m, 's:p:')));
    telegram.pressButton(bot.telegram.id, {
      from: buyer,
      messageId: plans.messageId,
      data: buttonData(plans, 's:p:')!,
    });
    const methods = await waitFor(() => messages().find((m) => !!buttonData(m, 'pg:zarinpal:')));
    const screen = () => messages().find((m) => m.messageId === methods.messageId)!;

    const release = zp.hold();
    try {
      telegram.pressButton(bot.telegram.id, {
        from: buyer,
        messageId: methods.messageId,
        data: buttonData(methods, 'pg:zarinpal:')!,
      });
      await waitFor(() => zp.held === 1, 5_000);
      const [{ id: paymentId }]: { id: string }[] = await platform.query(
        `SELECT id FROM gateway_payments WHERE bot_id = $1 AND status = 'pending' AND external_id IS NULL`,
        [bot.id],
      );
      const job = { botId: bot.id, paymentId, language: 'en', messageId: methods.messageId };
      const gaveUp = () => world.worker.get(PaymentsProcessor).startPaymentGaveUp(job);

      // The first call fails the payment, then Telegram keeps failing the edit (every retry): the call fails.
      telegram.setFaults(bot.telegram.id, { failNext: { count: 5, status: 502, methods: ['editMessageText'] } });
      await expect(gaveUp()).rejects.toThrow();
      telegram.clearFaults(bot.telegram.id);
      const [failed] = await platform.query(`SELECT status, failure_reason FROM gateway_payments WHERE id = $1`, [
        paymentId,
      ]);
      expect(failed).toEqual({ status: 'failed', failure_reason: 'the payment link could not be prepared' });
      expect(GONE_WRONG.test(screen().text ?? '')).toBe(false);

      // The runner calls the hook again: the payment is already failed, yet the buyer was never told — now told.
      const before = { ...sends(), screenEdits: screen().editCount, count: messages().length };
      await gaveUp();
      expect(screen().text).toMatch(GONE_WRONG);
      expect(screen().editCount).toBe(before.screenEdits + 1);
      expect(messages()).toHaveLength(before.count);
      expect(sends()).toEqual({ edits: before.edits + 1, messages: before.messages });

      // A third call tells nobody again: no edit, no message.
      const told = sends();
      await gaveUp();
      expect(sends()).toEqual(told);
      expect(screen().editCount).toBe(before.screenEdits + 1);
    } finally {
      release();
    }
  });
});
