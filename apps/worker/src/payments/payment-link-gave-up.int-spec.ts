import { waitFor, zarinpalShop } from '@botfleet/testing';
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
  const shop = zarinpalShop({ createWorker: createWorkerApp });
  const buyer = { id: 954_001, first_name: 'Buyer', language_code: 'en' };

  it('a first call that fails after failing the payment leaves the telling to the next call, which tells once', async () => {
    const { telegram, platform, bot, zp, world } = shop;
    const messages = () => shop.botMessages(buyer.id);
    const sends = () => {
      const calls = telegram.getBotStats(bot.telegram.id).calls;
      return { edits: calls.editMessageText ?? 0, messages: calls.sendMessage ?? 0 };
    };
    const methods = await shop.buyerReachesPay(buyer);
    const screen = () => messages().find((m) => m.messageId === methods.messageId)!;

    const release = zp.hold();
    try {
      shop.pressZarinpal(buyer, methods);
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
