import { Actors, ErrorCode } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import { TenantRepositories } from '@botfleet/dal';
import { createTestEnv, CryptoPayApp, CryptoPayEmulator, TestBot, TestContext, TestEnv } from '@botfleet/testing';
import { PaymentGateways } from '../../payment-gateways';
import { ReconcileGatewayPaymentsUseCase } from '../../use-cases/reconcile-gateway-payments.use-case';
import { StartGatewayPaymentUseCase } from '../../use-cases/start-gateway-payment.use-case';
import { CryptoBotWebhook } from './cryptobot-webhook.service';

/**
 * CryptoBot through the payments port, against real PostgreSQL and the Crypto Pay emulator over HTTP: the invoice,
 * the signed webhook settling once under real concurrency, forged and cross-tenant webhooks, expiry.
 */
describe('CryptoBot gateway', () => {
  let cp: CryptoPayEmulator;
  let env: TestEnv;
  let ctx: TestContext;
  let repos: TenantRepositories;
  let webhook: CryptoBotWebhook;
  let a: { bot: TestBot; app: CryptoPayApp };
  let b: { bot: TestBot; app: CryptoPayApp };

  beforeAll(async () => {
    cp = await CryptoPayEmulator.start();
    env = await createTestEnv({ CRYPTO_PAY_BASE_URL: cp.url, CRYPTO_PAY_TESTNET_BASE_URL: cp.url });
    ctx = await TestContext.create({ env, jobs: 'detached' });
    repos = ctx.get(TenantRepositories);
    webhook = ctx.get(CryptoBotWebhook);
    a = await shop('USD');
    b = await shop('USD');
  });

  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
    await cp?.close();
  });

  async function shop(currency: string, config: Record<string, unknown> = {}) {
    const bot = await ctx.newBot({ currency, walletMinor: 10_000_000 });
    const app = cp.createApp();
    await ctx.allowFeature(bot.id, 'cryptobot');
    await ctx
      .get(FeaturesService)
      .set(bot.id, 'cryptobot', true, { apiToken: app.token, ...config }, Actors.tenantApi(bot.id));
    return { bot, app };
  }

  async function started(s = a, priceMinor = 450) {
    const pending = await ctx.newOrder(s.bot.id, { plan: { priceMinor } });
    const { payment, action } = await ctx.get(StartGatewayPaymentUseCase).execute({
      botId: s.bot.id,
      gateway: 'cryptobot',
      language: 'en',
      purpose: 'order',
      orderId: pending.orderId,
      by: { userId: pending.userId },
    });
    if (action.kind !== 'url') throw new Error('CryptoBot gives a URL');
    return { ...pending, payment, url: action.url, invoiceId: Number(payment.externalId) };
  }

  /** The customer pays in @CryptoBot; the signed update Crypto Pay would POST (no webhook URL in this test). */
  async function paid(invoiceId: number, signWith?: string) {
    await cp.payInvoice(invoiceId);
    return cp.signedUpdate(invoiceId, signWith);
  }

  it('keeps the token encrypted and unseen; prices in the bot currency; the invoice carries our payment', async () => {
    const view = await ctx.get(FeaturesService).get(a.bot.id, 'cryptobot');
    expect(view.secretsSet).toEqual(['apiToken']);
    expect(JSON.stringify(view)).not.toContain(a.app.token);
    const s = await started(a, 450);
    expect(s.payment).toMatchObject({ gateway: 'cryptobot', gatewayUnit: 'USD', status: 'pending' });
    expect(s.url).toMatch(/^https:\/\/t\.me\/CryptoBot\?start=/);
    expect(cp.invoice(s.invoiceId)).toMatchObject({ fiat: 'USD', amount: '4.50', payload: `cb:${s.payment.id}` });
  });

  it('an IRT shop needs a rate: without one CryptoBot is not offered, with one the amount is converted', async () => {
    const irt = await shop('IRT');
    const gateways = ctx.get(PaymentGateways);
    const methods = async () =>
      (await gateways.availableFor(irt.bot.id, 1_500_000, 'IRT')).map((g) => g.gateway.method);
    expect(await methods()).not.toContain('cryptobot');
    await ctx
      .get(FeaturesService)
      .set(irt.bot.id, 'cryptobot', true, { fiat: 'USD', minorPerFiatUnit: 600_000 }, Actors.tenantApi(irt.bot.id));
    expect(await methods()).toContain('cryptobot');
    const s = await started(irt, 1_500_000);
    expect(cp.invoice(s.invoiceId)).toMatchObject({ fiat: 'USD', amount: '2.50' });
  });

  it('20 identical signed webhooks at once settle the order once', async () => {
    const s = await started();
    const { body, headers } = await paid(s.invoiceId);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        webhook.handle(a.bot.id, Buffer.from(body), headers['crypto-pay-api-signature']),
      ),
    );
    expect(outcomes.filter((o) => o === 'paid')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'paid').every((o) => o === 'already_paid')).toBe(true);
    const payment = (await repos.gatewayPayments.findById(a.bot.id, s.payment.id))!;
    expect(payment).toMatchObject({ status: 'paid', creditedTo: 'order', externalId: String(s.invoiceId) });
    const order = (await repos.orders.findById(a.bot.id, s.orderId))!;
    expect(order.paymentMethod).toBe('cryptobot');
    expect(['paid', 'fulfilling']).toContain(order.status);
    expect(await repos.transactions.find(a.bot.id, { where: { userId: s.userId } })).toEqual([]);
  });

  it('a forged signature, a body signed with another bot token, or a tampered body: 401, nothing changes', async () => {
    const s = await started();
    const { body, headers } = await paid(s.invoiceId);
    const sig = headers['crypto-pay-api-signature'];
    const refused = (botId: string, raw: string, signature: string | undefined) =>
      webhook.handle(botId, Buffer.from(raw), signature).then(
        () => 'accepted',
        (e: { code?: string }) => e.code,
      );
    expect(await refused(a.bot.id, body, undefined)).toBe(ErrorCode.UNAUTHORIZED);
    expect(await refused(a.bot.id, body, 'f'.repeat(64))).toBe(ErrorCode.UNAUTHORIZED);
    expect(await refused(a.bot.id, body.replace('"paid"', '"paid" '), sig)).toBe(ErrorCode.UNAUTHORIZED);
    const signedByB = cp.signedUpdate(s.invoiceId, b.app.token);
    expect(await refused(a.bot.id, signedByB.body, signedByB.headers['crypto-pay-api-signature'])).toBe(
      ErrorCode.UNAUTHORIZED,
    );
    // A's invoice delivered to B's webhook, signed with A's token: B's token does not verify it.
    expect(await refused(b.bot.id, body, sig)).toBe(ErrorCode.UNAUTHORIZED);
    expect((await repos.gatewayPayments.findById(a.bot.id, s.payment.id))!.status).toBe('pending');
    expect((await repos.orders.findById(a.bot.id, s.orderId))!.status).toBe('pending');
  });

  it("B's correctly signed webhook naming A's invoice changes nothing for either", async () => {
    const s = await started();
    await cp.payInvoice(s.invoiceId);
    const asB = cp.signedUpdate(s.invoiceId, b.app.token);
    await expect(
      webhook.handle(b.bot.id, Buffer.from(asB.body), asB.headers['crypto-pay-api-signature']),
    ).resolves.toBe('ignored');
    expect((await repos.gatewayPayments.findById(a.bot.id, s.payment.id))!.status).toBe('pending');
  });

  it('an invoice that expired at Crypto Pay expires the payment (reconciler); one paid meanwhile is settled', async () => {
    const gone = await started();
    const late = await started();
    cp.expireInvoice(gone.invoiceId);
    await cp.payInvoice(late.invoiceId); // the webhook never came: the reconciler finds it paid
    const r = await ctx.get(ReconcileGatewayPaymentsUseCase).execute({ botId: a.bot.id, gateway: 'cryptobot' });
    expect(r.settled).toContain(late.payment.id);
    expect((await repos.gatewayPayments.findById(a.bot.id, gone.payment.id))!.status).toBe('expired');
    expect((await repos.gatewayPayments.findById(a.bot.id, late.payment.id))!.status).toBe('paid');
    expect((await repos.orders.findById(a.bot.id, gone.orderId))!.status).toBe('pending');
  });
});
