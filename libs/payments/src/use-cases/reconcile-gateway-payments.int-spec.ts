import { Actors } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import { TenantDb, TenantRepositories } from '@botfleet/dal';
import { createTestEnv, CryptoPayEmulator, TestBot, TestContext, TestEnv } from '@botfleet/testing';
import { StartGatewayPaymentUseCase } from './start-gateway-payment.use-case';
import { ReconcileGatewayPaymentsUseCase } from './reconcile-gateway-payments.use-case';

/** A short statement timeout, so a row held by a stuck transaction fails a statement (not a DomainError) quickly. */
const STATEMENT_TIMEOUT_MS = 1_000;

/**
 * The reconciler on real PostgreSQL and the Crypto Pay emulator: one payment that cannot be reconciled (its row held
 * by a stuck transaction: the settle's statement times out) is logged and skipped; the bot's other payments are
 * still reconciled in the same run.
 */
describe('ReconcileGatewayPaymentsUseCase', () => {
  let cp: CryptoPayEmulator;
  let env: TestEnv;
  let ctx: TestContext;
  let repos: TenantRepositories;
  let bot: TestBot;

  beforeAll(async () => {
    cp = await CryptoPayEmulator.start();
    env = await createTestEnv({
      CRYPTO_PAY_BASE_URL: cp.url,
      CRYPTO_PAY_TESTNET_BASE_URL: cp.url,
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    });
    ctx = await TestContext.create({ env, jobs: 'detached' });
    repos = ctx.get(TenantRepositories);
    bot = await ctx.newBot({ currency: 'USD', walletMinor: 10_000_000 });
    const app = cp.createApp();
    await ctx.allowFeature(bot.id, 'cryptobot');
    await ctx.get(FeaturesService).set(bot.id, 'cryptobot', true, { apiToken: app.token }, Actors.tenantApi(bot.id));
  });

  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
    await cp?.close();
  });

  /** An order paid at Crypto Pay whose webhook never came: only the reconciler can settle it. */
  async function paidWithoutWebhook() {
    const pending = await ctx.newOrder(bot.id, { plan: { priceMinor: 450 } });
    const { payment } = await ctx.get(StartGatewayPaymentUseCase).execute({
      botId: bot.id,
      gateway: 'cryptobot',
      language: 'en',
      purpose: 'order',
      orderId: pending.orderId,
      by: { userId: pending.userId },
    });
    await cp.payInvoice(Number(payment.externalId));
    return { ...pending, payment };
  }

  it('a payment whose check throws is skipped; the next one of the same bot still settles', async () => {
    const stuck = await paidWithoutWebhook();
    const fine = await paidWithoutWebhook();
    let release!: () => void;
    let held!: () => void;
    const heldNow = new Promise<void>((r) => (held = r));
    // Another transaction holds the first payment's row (it comes first: oldest) for the whole run.
    const holder = ctx.get(TenantDb).run(bot.id, async () => {
      await repos.gatewayPayments.findById(bot.id, stuck.payment.id, 'pessimistic_write');
      held();
      await new Promise<void>((r) => (release = r));
    });
    await heldNow;
    try {
      const r = await ctx.get(ReconcileGatewayPaymentsUseCase).execute({ botId: bot.id, gateway: 'cryptobot' });
      expect(r.settled).toEqual([fine.payment.id]);
    } finally {
      release();
      await holder;
    }
    expect((await repos.gatewayPayments.findById(bot.id, fine.payment.id))!.status).toBe('paid');
    expect((await repos.gatewayPayments.findById(bot.id, stuck.payment.id))!.status).toBe('pending');
    // The next run, with the row free again, settles the skipped one.
    const next = await ctx.get(ReconcileGatewayPaymentsUseCase).execute({ botId: bot.id, gateway: 'cryptobot' });
    expect(next.settled).toEqual([stuck.payment.id]);
  });
});
