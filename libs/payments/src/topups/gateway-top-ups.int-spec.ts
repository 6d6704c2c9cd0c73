import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import { createTestEnv, platformOf, TestContext, TestEnv, ZarinpalEmulator } from '@botfleet/testing';
import { ConfirmGatewayPaymentUseCase } from '../use-cases/confirm-gateway-payment.use-case';
import { StartGatewayTopUpUseCase } from './start-gateway-top-up.use-case';
import { WalletQueries } from './wallet-queries.service';

/**
 * Wallet top-ups through an online gateway (the payments port, purpose 'topup'), against the Zarinpal emulator
 * over HTTP and real PostgreSQL and Redis: the wallet's limits first, one deposit however often it is confirmed.
 */
describe('gateway top-ups (Zarinpal)', () => {
  let zp: ZarinpalEmulator;
  let env: TestEnv;
  let ctx: TestContext;
  let platform: DataSource;
  let botId: string;
  const merchantId = randomUUID();

  beforeAll(async () => {
    zp = await ZarinpalEmulator.start();
    zp.addMerchant(merchantId);
    env = await createTestEnv({ ZARINPAL_BASE_URL: zp.url, ZARINPAL_SANDBOX_BASE_URL: zp.url });
    ctx = await TestContext.create({ env, jobs: 'detached' });
    platform = await platformOf(env);
    botId = (await ctx.newBot({ currency: 'IRR', walletMinor: 10_000_000 })).id;
    await ctx.enableZarinpal(botId, merchantId);
    const features = ctx.get(FeaturesService);
    await features.set(botId, 'wallet', true, { minTopUpMinor: 20_000, maxTopUpMinor: 900_000 });
  });

  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
    await zp?.close();
  });

  const start = (userId: string, amountMinor: number, forOrderId?: string) =>
    ctx
      .get(StartGatewayTopUpUseCase)
      .execute({ botId, userId, gateway: 'zarinpal', amountMinor, forOrderId, language: 'en' });
  const rows = async (userId: string) =>
    Number((await platform.query(`SELECT count(*)::int n FROM gateway_payments WHERE user_id = $1`, [userId]))[0].n);

  it('an amount out of the limits, or another user’s order, is refused before anything reaches the gateway', async () => {
    const userId = (await ctx.newUser(botId)).id;
    const before = zp.payments().length;
    for (const amount of [19_999, 900_001]) {
      const err = await start(userId, amount).catch((e: unknown) => e);
      expect(DomainError.is(err, ErrorCode.VALIDATION_FAILED)).toBe(true);
    }
    const someone = await ctx.newOrder(botId, { plan: { priceMinor: 50_000 } });
    await expect(start(userId, 50_000, someone.orderId)).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(await rows(userId)).toBe(0);
    expect(zp.payments()).toHaveLength(before);
  });

  it('paid once, confirmed five times at once: one deposit keyed zarinpal:{authority}; the order it was for is kept', async () => {
    const pending = await ctx.newOrder(botId, { plan: { priceMinor: 120_000 } });
    const { payment, action } = await start(pending.userId, 120_000, pending.orderId);
    expect(action.kind).toBe('url');
    expect(payment).toMatchObject({ purpose: 'topup', orderId: null, amountMinor: 120_000 });
    expect(payment.details.forOrderId).toBe(pending.orderId);
    zp.pay(payment.externalId!);
    await Promise.all(
      Array.from({ length: 5 }, () => ctx.get(ConfirmGatewayPaymentUseCase).execute({ botId, paymentId: payment.id })),
    );
    const ledger = await platform.query(
      `SELECT type, amount_minor::int AS amount, idempotency_key AS key FROM transactions WHERE user_id = $1`,
      [pending.userId],
    );
    expect(ledger).toEqual([{ type: 'deposit', amount: 120_000, key: `zarinpal:${payment.externalId}` }]);
    // The order is not paid silently: it waits for the user's answer to the notice.
    const [order] = await platform.query(`SELECT status FROM orders WHERE id = $1`, [pending.orderId]);
    expect(order.status).toBe('pending');
    const history = await ctx.get(WalletQueries).topUps(botId, pending.userId, 1, 10);
    expect(history.items).toEqual([
      expect.objectContaining({
        id: payment.id,
        method: 'zarinpal',
        amountMinor: 120_000,
        status: 'credited',
        forOrderId: pending.orderId,
      }),
    ]);
  });
});
