import { FeaturesService } from '@botfleet/catalog';
import { Actors } from '@botfleet/common';
import { PromoCodesService } from '@botfleet/growth';
import { jobIdFor, JobName, QueueName } from '@botfleet/jobs';
import { ExpireGatewayPaymentsUseCase, StartGatewayPaymentUseCase } from '@botfleet/payments';
import { AS_TENANT } from '@botfleet/sales';
import { buttonData, buttonsOf, StoredMessageView, waitFor, zarinpalShop } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

/** GATEWAY_PAYMENT_IN_FLIGHT_MS of this suite (a minute in production). */
const IN_FLIGHT_MS = 500;
const CLOSED = /no longer open/;
const REPLACED = /replaced by a newer one/;

/**
 * The payment link job when its payment closed while Zarinpal was being asked: a real worker hosts the bot against
 * the Telegram emulator, Zarinpal is the emulator holding its answer. The buyer's "Preparing your payment link…"
 * screen is not left as it is: it says the payment is no longer open and offers the way back (pay again, the
 * plans). A payment ended by the buyer's own newer tap on the same screen says nothing: the newer link is what the
 * screen shows. One ended by a newer payment shown elsewhere (another message of the chat, or none) says it was
 * replaced.
 */
describe('Zarinpal pay link: a payment that closed before its link came (worker, emulators)', () => {
  jest.setTimeout(90_000);
  const shop = zarinpalShop({
    createWorker: createWorkerApp,
    env: { GATEWAY_PAYMENT_IN_FLIGHT_MS: String(IN_FLIGHT_MS) },
    // A promo code for an open order shows its payment screen again as a new message: two screens with its buttons.
    arrange: async ({ ctx, bot }) => {
      await ctx.get(FeaturesService).set(bot.id, 'promo_codes', true, undefined, Actors.tenantApi(bot.id));
      await ctx
        .get(PromoCodesService)
        .create(bot.id, { code: 'SAVE10', kind: 'percent', value: 10 }, Actors.tenantApi(bot.id));
    },
  });
  const { linkOf } = shop;

  /** A buyer at the payment methods of a new order. */
  async function atMethods(buyerId: number) {
    const { telegram, bot } = shop;
    const buyer = { id: buyerId, first_name: 'Buyer', language_code: 'en' };
    const messages = () => shop.botMessages(buyer.id);
    const methods = await shop.buyerReachesPay(buyer);
    const screenOf = (messageId: number) => messages().find((m) => m.messageId === messageId)!;
    const screen = () => screenOf(methods.messageId);
    const press = (data = buttonData(methods, 'pg:zarinpal:')!, messageId = methods.messageId) =>
      telegram.waitForCallbackAnswer(
        bot.telegram.id,
        telegram.pressButton(bot.telegram.id, { from: buyer, messageId, data }).callbackQueryId,
        5_000,
      );
    /** The buyer applies the promo code: the order's payment screen comes again, as a new message (its id). */
    const promo = async (): Promise<number> => {
      await press(buttonData(methods, 'pc:o:')!);
      const prompt = await waitFor(() => messages().find((m) => /promo code for this order/.test(m.text ?? '')));
      telegram.sendText(bot.telegram.id, { from: buyer, text: 'SAVE10', replyToMessageId: prompt.messageId });
      const again = await waitFor(() =>
        messages().find((m) => m.messageId > prompt.messageId && !!buttonData(m, 'pg:zarinpal:')),
      );
      return again.messageId;
    };
    return { messages, screen, screenOf, press, promo, methods };
  }
  const payments = async (): Promise<{ id: string; status: string; external_id: string | null; order_id: string }[]> =>
    shop.platform.query(
      `SELECT id, status, external_id, order_id FROM gateway_payments WHERE bot_id = $1 ORDER BY created_at`,
      [shop.bot.id],
    );
  /**
   * The buyer taps Pay on `endedOn` (Zarinpal hangs), and after the in-flight window on `newerOn`: a new payment,
   * which ends the first one, still waiting. Each tap's Zarinpal request waits on its own hold, so the answers land
   * in a fixed order: the newer link first (resolved once `newerOn` shows it), then the ended payment's late answer,
   * whose job would otherwise put "no longer open" over the newer link. The ended payment is failed without an
   * authority, the newer one pending on the link's; resolves to the link and those two payments.
   */
  async function payTwice(
    b: Awaited<ReturnType<typeof atMethods>>,
    endedOn: StoredMessageView,
    newerOn: StoredMessageView,
  ) {
    const { zp } = shop;
    const before = (await payments()).length;
    const releaseFirst = zp.hold();
    let releaseSecond = () => {};
    let link: string;
    try {
      await b.press(buttonData(endedOn, 'pg:zarinpal:')!, endedOn.messageId);
      await waitFor(() => zp.held === 1, 5_000);
      await new Promise((r) => setTimeout(r, IN_FLIGHT_MS + 200));
      releaseSecond = zp.hold();
      expect((await b.press(buttonData(newerOn, 'pg:zarinpal:')!, newerOn.messageId)).text).toContain(
        'Preparing your payment link',
      );
      await waitFor(() => zp.held === 2, 5_000);
      // The newer payment's answer first: its link replaces its screen …
      releaseSecond();
      link = await waitFor(() => linkOf(b.screenOf(newerOn.messageId)), 15_000);
      expect(zp.held).toBe(1);
    } finally {
      releaseSecond();
      // … then the ended payment's late answer.
      releaseFirst();
    }
    const rows = (await payments()).slice(before);
    expect(rows.map((p) => [p.status, p.external_id])).toEqual([
      ['failed', null],
      ['pending', link.split('/pg/StartPay/')[1]],
    ]);
    return { link, rows };
  }

  it('expired while Zarinpal was asked: the buyer is told it is no longer open, and "Try again" brings a link', async () => {
    const { zp, world, bot } = shop;
    const b = await atMethods(953_001);
    const release = zp.hold();
    try {
      expect((await b.press()).text).toContain('Preparing your payment link');
      await waitFor(() => zp.held === 1, 5_000);
      // The payment's deadline passes (the reconciler's expiry step, its clock moved on) while Zarinpal hangs.
      const expired = await world.worker
        .get(ExpireGatewayPaymentsUseCase)
        .execute({ botId: bot.id, gateway: 'zarinpal', now: new Date(Date.now() + 3_600_000) });
      expect(expired).toHaveLength(1);
    } finally {
      release();
    }
    // Zarinpal answers late: no link, and the screen the buyer tapped on says so, with the way back.
    const closed = await waitFor(() => (CLOSED.test(b.screen().text ?? '') ? b.screen() : undefined), 15_000);
    expect(linkOf(closed)).toBeUndefined();
    expect(buttonsOf(closed).map((x) => x.callback_data)).toEqual([buttonData(closed, 'pg:zarinpal:'), 'menu:buy']);
    expect(b.messages().filter((m) => !!linkOf(m))).toEqual([]);
    expect((await payments()).map((p) => [p.status, p.external_id])).toEqual([['expired', null]]);

    // "Try again" opens a new payment for the same order and its link replaces the screen.
    expect((await b.press(buttonData(closed, 'pg:zarinpal:'))).text).toContain('Preparing your payment link');
    const link = await waitFor(() => linkOf(b.screen()), 15_000);
    const rows = await payments();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ status: 'pending', external_id: link.split('/pg/StartPay/')[1] });
  });

  it("a payment ended by the buyer's newer tap says nothing: the screen ends on the newer link", async () => {
    const { bot, world } = shop;
    const b = await atMethods(953_002);
    // Both taps on the same screen.
    const { link, rows } = await payTwice(b, b.methods, b.methods);
    // The ended payment's job is done after the newer link was shown, and the screen still holds that link.
    const endedJob = jobIdFor(JobName.StartGatewayPayment, [bot.id, rows[0].id]);
    const notifications = world.queue(QueueName.Notifications);
    await waitFor(
      async () => !['waiting', 'active', 'delayed'].includes(await notifications.getJobState(endedJob)),
      15_000,
    );
    expect(linkOf(b.screen())).toBe(link);
    expect(b.messages().some((m) => CLOSED.test(m.text ?? ''))).toBe(false);
    expect(b.messages().some((m) => REPLACED.test(m.text ?? ''))).toBe(false);
  });

  it('a payment ended by a newer tap on another message says it was replaced; the newer link stays on its own', async () => {
    const b = await atMethods(953_003);
    const first = b.methods.messageId;
    const second = await b.promo();
    // Pay on the newest screen, then on the older screen further up: the newer payment is there.
    const { link } = await payTwice(b, b.screenOf(second), b.screenOf(first));
    // The ended payment's screen says it was replaced, with the way back; the newer link is untouched.
    const replaced = await waitFor(
      () => (REPLACED.test(b.screenOf(second).text ?? '') ? b.screenOf(second) : undefined),
      15_000,
    );
    expect(linkOf(replaced)).toBeUndefined();
    expect(buttonsOf(replaced).map((x) => x.callback_data)).toEqual([buttonData(replaced, 'pg:zarinpal:'), 'menu:buy']);
    expect(linkOf(b.screenOf(first))).toBe(link);
    expect(b.messages().filter((m) => !!linkOf(m))).toHaveLength(1);
  });

  it('a payment ended by a newer one opened outside the bot (no screen) says it was replaced', async () => {
    const { zp, world, bot } = shop;
    const b = await atMethods(953_004);
    const before = (await payments()).length;
    const releaseFirst = zp.hold();
    try {
      await b.press();
      await waitFor(() => zp.held === 1, 5_000);
      // No REST endpoint opens an order's gateway payment today; `execute` is the entry for callers outside a bot
      // update (it ends the waiting payment at once, whatever its age). Zarinpal answers it at once.
      zp.hold()();
      const waiting = (await payments())[before];
      const started = await world.worker.get(StartGatewayPaymentUseCase).execute({
        botId: bot.id,
        gateway: 'zarinpal',
        language: 'en',
        purpose: 'order',
        orderId: waiting.order_id,
        by: AS_TENANT,
      });
      expect(started.action.kind).toBe('url');
    } finally {
      releaseFirst();
    }
    const replaced = await waitFor(() => (REPLACED.test(b.screen().text ?? '') ? b.screen() : undefined), 15_000);
    expect(linkOf(replaced)).toBeUndefined();
    expect((await payments()).slice(before).map((p) => p.status)).toEqual(['failed', 'pending']);
  });
});
