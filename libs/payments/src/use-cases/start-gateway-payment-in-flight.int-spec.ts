import { randomUUID } from 'node:crypto';
import { Actors } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import { TenantRepositories } from '@botfleet/dal';
import { createTestEnv, TestBot, TestContext, TestEnv, waitFor, ZarinpalEmulator } from '@botfleet/testing';
import { PaymentsQueries } from '../payments-queries.service';
import { StartGatewayPaymentUseCase, SUPERSEDED_REASON } from './start-gateway-payment.use-case';

/** GATEWAY_PAYMENT_IN_FLIGHT_MS of this suite (a minute in production). */
const IN_FLIGHT_MS = 300;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A bot's Pay button while Zarinpal is slow, on real PostgreSQL and Redis and the Zarinpal emulator holding its
 * answers: the payment a tap opened waits for its link job (driven here by `complete`, the job's step); a tap after
 * the in-flight window opens a new payment, and the one still waiting is ended, so its late answer is recorded
 * nowhere and one order never has two links that can be paid.
 */
describe('StartGatewayPayment: one payable payment per order while the gateway is slow', () => {
  let zp: ZarinpalEmulator;
  let env: TestEnv;
  let ctx: TestContext;
  let bot: TestBot;
  let repos: TenantRepositories;
  let start: StartGatewayPaymentUseCase;
  const merchantId = randomUUID();

  beforeAll(async () => {
    zp = await ZarinpalEmulator.start();
    zp.addMerchant(merchantId);
    env = await createTestEnv({
      ZARINPAL_BASE_URL: zp.url,
      ZARINPAL_SANDBOX_BASE_URL: zp.url,
      GATEWAY_PAYMENT_IN_FLIGHT_MS: String(IN_FLIGHT_MS),
    });
    ctx = await TestContext.create({ env, jobs: 'detached' });
    repos = ctx.get(TenantRepositories);
    start = ctx.get(StartGatewayPaymentUseCase);
    bot = await ctx.newBot({ currency: 'IRR', walletMinor: 10_000_000 });
    await ctx.enableZarinpal(bot.id, merchantId);
    await ctx.get(FeaturesService).set(bot.id, 'telegram_stars', true, undefined, Actors.tenantApi(bot.id));
  });

  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
    await zp?.close();
  });

  /** A pending order of 50 000 IRR and what a tap on its Zarinpal button asks (StartGatewayPaymentUseCase.request). */
  async function order() {
    const pending = await ctx.newOrder(bot.id, { plan: { priceMinor: 50_000 } });
    const tap = () =>
      start.request({
        botId: bot.id,
        gateway: 'zarinpal',
        language: 'en',
        purpose: 'order',
        orderId: pending.orderId,
        by: { userId: pending.userId },
      });
    const payments = () => repos.gatewayPayments.find(bot.id, { where: { orderId: pending.orderId } });
    return { ...pending, tap, payments };
  }

  it('a tap after the window, while the first payment still waits for Zarinpal, leaves one payable link', async () => {
    const o = await order();
    const first = await o.tap();
    expect(first.action).toBeNull();
    const release = zp.hold();
    let firstJob: ReturnType<StartGatewayPaymentUseCase['complete']>;
    let secondJob: ReturnType<StartGatewayPaymentUseCase['complete']>;
    let secondId: string;
    try {
      // The first payment's job is asking Zarinpal, which hangs …
      firstJob = start.complete(bot.id, first.payment.id, 'en');
      await waitFor(() => zp.held === 1, 5_000);
      // … a tap within the window is told the link is coming …
      const within = await o.tap();
      expect(within).toMatchObject({ payment: { id: first.payment.id }, action: null });
      // … one after it opens a new payment and ends the one still waiting.
      await pause(IN_FLIGHT_MS + 100);
      const second = await o.tap();
      secondId = second.payment.id;
      expect(secondId).not.toBe(first.payment.id);
      expect(second.action).toBeNull();
      expect(await repos.gatewayPayments.findById(bot.id, first.payment.id)).toMatchObject({
        status: 'failed',
        externalId: null,
        failureReason: SUPERSEDED_REASON,
      });
      secondJob = start.complete(bot.id, secondId, 'en');
      await waitFor(() => zp.held === 2, 5_000);
    } finally {
      release();
    }
    // Zarinpal answers both: the late answer of the ended payment is recorded nowhere and there is no link to show.
    expect(await firstJob).toBeNull();
    const shown = await secondJob;
    expect(shown?.payment.id).toBe(secondId);
    expect(shown?.action.kind).toBe('url');
    const rows = await o.payments();
    expect(rows.map((p) => [p.id, p.status, p.externalId]).sort()).toEqual(
      [
        [first.payment.id, 'failed', null],
        [secondId, 'pending', shown?.action.externalId],
      ].sort(),
    );
    // The first job retried later still shows nothing, and asks Zarinpal nothing.
    const calls = zp.calls.length;
    expect(await start.complete(bot.id, first.payment.id, 'en')).toBeNull();
    expect(zp.calls.length).toBe(calls);
    // The next tap offers the one link there is.
    expect((await o.tap()).payment.id).toBe(secondId);
  });

  it('two concurrent taps after the window open one payment, and the waiting one is ended', async () => {
    const o = await order();
    const first = await o.tap();
    const release = zp.hold();
    let firstJob: ReturnType<StartGatewayPaymentUseCase['complete']>;
    let taps: Awaited<ReturnType<typeof o.tap>>[];
    try {
      firstJob = start.complete(bot.id, first.payment.id, 'en');
      await waitFor(() => zp.held === 1, 5_000);
      await pause(IN_FLIGHT_MS + 100);
      taps = await Promise.all([o.tap(), o.tap()]);
    } finally {
      release();
    }
    expect(await firstJob).toBeNull();
    // Both taps got the one new payment (one opened it, the other found it in flight).
    expect(new Set(taps.map((t) => t.payment.id)).size).toBe(1);
    const newer = taps[0].payment.id;
    expect(newer).not.toBe(first.payment.id);
    const pending = (await o.payments()).filter((p) => p.status === 'pending');
    expect(pending.map((p) => p.id)).toEqual([newer]);
  });

  it("taps racing the first payment's late answer: at most one payment ever gets a link", async () => {
    for (let round = 0; round < 5; round++) {
      const o = await order();
      const first = await o.tap();
      const release = zp.hold();
      let firstJob: ReturnType<StartGatewayPaymentUseCase['complete']>;
      try {
        firstJob = start.complete(bot.id, first.payment.id, 'en');
        await waitFor(() => zp.held === 1, 5_000);
        await pause(IN_FLIGHT_MS + 50);
      } finally {
        // Zarinpal answers the first payment while two more taps come in.
        release();
      }
      const [answer, ...taps] = await Promise.all([firstJob, o.tap(), o.tap()]);
      const jobs = await Promise.all(
        [...new Set(taps.map((t) => t.payment.id))]
          .filter((id) => id !== first.payment.id)
          .map((id) => start.complete(bot.id, id, 'en')),
      );
      const shown = [answer, ...taps.map((t) => (t.action ? t : null)), ...jobs].filter(
        (s): s is NonNullable<typeof s> => s !== null,
      );
      const rows = await o.payments();
      const payable = rows.filter((p) => p.status === 'pending');
      expect(payable).toHaveLength(1);
      expect(payable[0].externalId).not.toBeNull();
      // Every link the buyer could be shown is the one payable payment's.
      for (const s of shown) expect(s.payment.id).toBe(payable[0].id);
      expect(rows.filter((p) => p.externalId !== null)).toHaveLength(1);
    }
  });

  it('leaves an open Stars invoice payable: it has no external id until it is paid, yet it waits for no gateway', async () => {
    const pending = await ctx.newOrder(bot.id, { plan: { priceMinor: 50_000, priceStars: 250 } });
    const by = { userId: pending.userId };
    const stars = await start.execute({
      botId: bot.id,
      gateway: 'stars',
      language: 'en',
      purpose: 'order',
      orderId: pending.orderId,
      by,
    });
    expect(stars.payment).toMatchObject({ status: 'pending', externalId: null });
    await pause(IN_FLIGHT_MS + 50);
    const zarinpal = await start.request({
      botId: bot.id,
      gateway: 'zarinpal',
      language: 'en',
      purpose: 'order',
      orderId: pending.orderId,
      by,
    });
    expect(zarinpal.payment.id).not.toBe(stars.payment.id);
    expect(await repos.gatewayPayments.findById(bot.id, stars.payment.id)).toMatchObject({
      status: 'pending',
      failureReason: null,
    });
  });

  it('newerOnScreen: the payment opened later on the same screen is newer, compared on the stored time', async () => {
    const pending = await ctx.newOrder(bot.id, { plan: { priceMinor: 50_000 } });
    const tap = (messageId: number) =>
      start.request(
        {
          botId: bot.id,
          gateway: 'zarinpal',
          language: 'en',
          purpose: 'order',
          orderId: pending.orderId,
          by: { userId: pending.userId },
        },
        { messageId },
      );
    const first = (await tap(77)).payment;
    await pause(IN_FLIGHT_MS + 50);
    const second = (await tap(77)).payment;
    expect(second.id).not.toBe(first.id);
    const queries = ctx.get(PaymentsQueries);
    const load = async (id: string) => (await repos.gatewayPayments.findById(bot.id, id))!;
    expect(await queries.newerOnScreen(bot.id, await load(first.id), 77)).toBe(true);
    expect(await queries.newerOnScreen(bot.id, await load(first.id), 78)).toBe(false);
    const latest = await load(second.id);
    expect(await queries.newerOnScreen(bot.id, latest, 77)).toBe(false);
    // Had both been opened in one millisecond, the later one's Date (milliseconds) would be the first one's stored
    // time cut to the millisecond: the first must still not count as newer.
    const sameMs = (await load(first.id)).createdAt;
    expect(await queries.newerOnScreen(bot.id, { ...latest, createdAt: sameMs }, 77)).toBe(false);
  });
});
