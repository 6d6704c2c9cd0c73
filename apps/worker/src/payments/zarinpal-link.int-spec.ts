import { Client } from 'pg';
import { StartGatewayPaymentUseCase } from '@botfleet/payments';
import { adminUrl, waitFor, zarinpalShop } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';
import { PaymentsProcessor } from './payments.processor';

/**
 * Paying with Zarinpal in the bot while Zarinpal is slow: a real worker hosts the bot against the Telegram emulator,
 * Zarinpal is the emulator holding its answer. The update that pressed the button must not wait for Zarinpal in its
 * database transaction: no connection sits idle in a transaction, and the buyer's next message is answered while
 * Zarinpal hangs; once Zarinpal answers, the buyer gets one link, to the one authority recorded.
 */
describe('Zarinpal pay link: the gateway is asked after the update commits (worker, emulators)', () => {
  jest.setTimeout(90_000);
  const shop = zarinpalShop({ createWorker: createWorkerApp });
  const buyer = { id: 952_001, first_name: 'Buyer', language_code: 'en' };

  const botMessages = () => shop.botMessages(buyer.id);
  const lastId = () =>
    shop.telegram.getChatMessages(shop.bot.telegram.id, buyer.id).reduce((n, m) => Math.max(n, m.messageId), 0);
  const { linkOf } = shop;
  /**
   * Sessions of the test database inside a transaction that waits for its client (an update waiting on HTTP); read
   * as the administrator, the one role that sees every session's state.
   */
  const idleInTransaction = async () => {
    const admin = new Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'`,
        [shop.world.env.db.name],
      );
      return Number(rows[0].n);
    } finally {
      await admin.end();
    }
  };

  it('a slow Zarinpal holds no transaction: the buyer is answered meanwhile and then gets one working link', async () => {
    const { telegram, platform, bot, zp, world } = shop;
    const methods = await shop.buyerReachesPay(buyer);

    const release = zp.hold();
    try {
      const press = shop.pressZarinpal(buyer, methods);
      await waitFor(() => zp.held === 1, 5_000);
      // While Zarinpal hangs: no database session waits inside a transaction …
      for (let i = 0; i < 5; i++) {
        expect(await idleInTransaction()).toBe(0);
        await new Promise((r) => setTimeout(r, 100));
      }
      // … the update has committed and answered the tap …
      const answer = await telegram.waitForCallbackAnswer(bot.telegram.id, press.callbackQueryId, 5_000);
      expect(answer.text).toContain('Preparing your payment link');
      // … the buyer's next message (same chat, handled after the tap) is answered …
      const after = lastId();
      telegram.sendText(bot.telegram.id, { from: buyer, text: '/help' });
      await waitFor(() => botMessages().find((m) => m.messageId > after), 5_000);
      // … and a second tap on the same button opens no second payment.
      const again = shop.pressZarinpal(buyer, methods);
      expect((await telegram.waitForCallbackAnswer(bot.telegram.id, again.callbackQueryId, 5_000)).text).toContain(
        'Preparing your payment link',
      );
      expect(zp.held).toBe(1);
    } finally {
      release();
    }

    // The link replaces the methods screen: one link, to the one authority Zarinpal created and we recorded.
    const link = await waitFor(() => {
      const m = botMessages().find((x) => x.messageId === methods.messageId);
      return m && linkOf(m);
    }, 15_000);
    expect(botMessages().filter((m) => !!linkOf(m))).toHaveLength(1);
    const authority = link.split('/pg/StartPay/')[1];
    expect(zp.payments().map((p) => p.authority)).toEqual([authority]);
    const rows: { status: string; external_id: string | null }[] = await platform.query(
      `SELECT status, external_id FROM gateway_payments WHERE bot_id = $1 AND gateway = 'zarinpal'`,
      [bot.id],
    );
    expect(rows).toEqual([{ status: 'pending', external_id: authority }]);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Amount: 50000 IRR');

    // A retried job (the same payment asked again) shows the recorded link and asks Zarinpal nothing.
    const calls = zp.calls.length;
    const paymentId = (
      await platform.query(`SELECT id FROM gateway_payments WHERE bot_id = $1 AND external_id = $2`, [
        bot.id,
        authority,
      ])
    )[0].id as string;
    const replay = await world.worker.get(StartGatewayPaymentUseCase).complete(bot.id, paymentId, 'en');
    expect(replay?.action).toMatchObject({ kind: 'url', url: link, externalId: authority });
    expect(zp.calls.length).toBe(calls);
  });

  it('a link job that gives up for good fails the payment still waiting for Zarinpal and tells the buyer', async () => {
    const { telegram, platform, bot, zp, world } = shop;
    const other = { id: 952_002, first_name: 'Second', language_code: 'en' };
    const messagesOf = () => shop.botMessages(other.id);
    const methods = await shop.buyerReachesPay(other);
    const release = zp.hold();
    let paymentId: string;
    try {
      shop.pressZarinpal(other, methods);
      await waitFor(() => zp.held === 1, 5_000);
      const rows: { id: string; status: string }[] = await platform.query(
        `SELECT id, status FROM gateway_payments WHERE bot_id = $1 AND external_id IS NULL AND status = 'pending'`,
        [bot.id],
      );
      expect(rows).toHaveLength(1);
      paymentId = rows[0].id;
      // What BullMQ calls once the job's attempts are spent (the gateway kept hanging, Telegram kept failing…).
      await world.worker
        .get(PaymentsProcessor)
        .startPaymentGaveUp({ botId: bot.id, paymentId, language: 'en', messageId: methods.messageId });
      // The payment is ended, not left pending until its deadline, and the buyer's screen says so.
      const [after] = await platform.query(`SELECT status, failure_reason FROM gateway_payments WHERE id = $1`, [
        paymentId,
      ]);
      expect(after).toEqual({ status: 'failed', failure_reason: 'the payment link could not be prepared' });
      await waitFor(() => {
        const m = messagesOf().find((x) => x.messageId === methods.messageId);
        return m && /Something went wrong/.test(m.text ?? '') ? m : undefined;
      }, 10_000);
      // A second call (a twin hook) changes nothing and tells nobody again: no new message, and no edit either (an
      // edit adds no message, so the calls Telegram got are counted).
      const sends = () => {
        const calls = telegram.getBotStats(bot.telegram.id).calls;
        return { edits: calls.editMessageText ?? 0, messages: calls.sendMessage ?? 0 };
      };
      const told = { sends: sends(), count: messagesOf().length };
      await world.worker
        .get(PaymentsProcessor)
        .startPaymentGaveUp({ botId: bot.id, paymentId, language: 'en', messageId: methods.messageId });
      expect({ sends: sends(), count: messagesOf().length }).toEqual(told);
    } finally {
      release();
    }
    // The held request answers late: the failed payment takes no authority, and no link is ever shown for it.
    await new Promise((r) => setTimeout(r, 1_000));
    const [late] = await platform.query(`SELECT status, external_id FROM gateway_payments WHERE id = $1`, [paymentId]);
    expect(late).toEqual({ status: 'failed', external_id: null });
    expect(messagesOf().filter((m) => !!linkOf(m))).toEqual([]);
  });
});
