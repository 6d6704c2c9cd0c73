import { randomUUID } from 'node:crypto';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import { TenantRepositories } from '@botfleet/dal';
import { ExpirePendingOrdersUseCase, FulfilmentService } from '@botfleet/sales';
import { createTestEnv, TestBot, TestContext, TestEnv, ZarinpalEmulator } from '@botfleet/testing';
import { StarsCheckout } from './gateways/stars/stars-checkout.service';
import { PaymentGateways } from './payment-gateways';
import { PaymentsQueries } from './payments-queries.service';
import { gatewayCreditKey } from './port/payment-gateway.port';
import { ConfirmGatewayPaymentUseCase } from './use-cases/confirm-gateway-payment.use-case';
import { ReconcileGatewayPaymentsUseCase } from './use-cases/reconcile-gateway-payments.use-case';
import { RefundGatewayPaymentUseCase } from './use-cases/refund-gateway-payment.use-case';
import { SettleGatewayPaymentUseCase } from './use-cases/settle-gateway-payment.use-case';
import { StartGatewayPaymentUseCase } from './use-cases/start-gateway-payment.use-case';

/**
 * The payments port against real PostgreSQL and Redis and the Zarinpal emulator over HTTP: money lands once
 * whatever the concurrency, late money goes to the wallet, forged or unpaid confirmations change nothing.
 */
describe('payments port (Zarinpal)', () => {
  let zp: ZarinpalEmulator;
  let sandbox: ZarinpalEmulator;
  let env: TestEnv;
  let ctx: TestContext;
  let bot: TestBot;
  let repos: TenantRepositories;
  const merchantId = randomUUID();

  beforeAll(async () => {
    zp = await ZarinpalEmulator.start();
    zp.addMerchant(merchantId);
    sandbox = await ZarinpalEmulator.start();
    sandbox.addMerchant(merchantId);
    env = await createTestEnv({ ZARINPAL_BASE_URL: zp.url, ZARINPAL_SANDBOX_BASE_URL: sandbox.url });
    ctx = await TestContext.create({ env, jobs: 'detached' });
    repos = ctx.get(TenantRepositories);
    bot = await ctx.newBot({ currency: 'IRR', walletMinor: 10_000_000 });
    // A wholesale cost per sale, so every order holds, and a paid one captures, on the shop's wallet.
    await ctx.setWholesalePrice(bot.id, { perPlanMinor: 5_000 });
    await enableZarinpal(bot.id);
  });

  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
    await zp?.close();
    await sandbox?.close();
  });

  async function enableZarinpal(botId: string): Promise<void> {
    await ctx.enableZarinpal(botId, merchantId);
  }

  /** A pending order of 50 000 IRR and its Zarinpal payment started (the StartPay link given). */
  async function started(botId = bot.id) {
    const pending = await ctx.newOrder(botId, { plan: { priceMinor: 50_000 } });
    const { payment, action } = await ctx.get(StartGatewayPaymentUseCase).execute({
      botId,
      gateway: 'zarinpal',
      language: 'en',
      purpose: 'order',
      orderId: pending.orderId,
      by: { userId: pending.userId },
    });
    if (action.kind !== 'url') throw new Error('Zarinpal gives a URL');
    return { ...pending, payment, url: action.url, authority: payment.externalId! };
  }

  const confirm = (paymentId: string, botId = bot.id) =>
    ctx.get(ConfirmGatewayPaymentUseCase).execute({ botId, paymentId });

  async function ledgerOf(botId: string, userId: string) {
    return repos.transactions.find(botId, { where: { userId } });
  }

  async function wholesaleRows(botId: string, orderId: string) {
    const rows = await repos.walletLedger.find(botId);
    return rows
      .filter((r) => r.idempotencyKey.startsWith(`order:${orderId}:`))
      .map((r) => r.idempotencyKey.split(':')[2]);
  }

  it('keeps the merchant id encrypted and never shows it back', async () => {
    const features = ctx.get(FeaturesService);
    const view = await features.get(bot.id, 'zarinpal');
    expect(view.config).toEqual({ sandbox: false });
    expect(view.secretsSet).toEqual(['merchantId']);
    const raw: { config: Record<string, unknown> }[] = await ctx.dataSource.query(
      `SELECT config FROM bot_feature_flags WHERE bot_id = $1 AND feature_key = 'zarinpal'`,
      [bot.id],
    );
    expect(JSON.stringify(raw)).not.toContain(merchantId);
    // A config without the merchant id keeps the stored one.
    await features.set(bot.id, 'zarinpal', true, { sandbox: false }, Actors.tenantApi(bot.id));
    expect((await features.get(bot.id, 'zarinpal')).secretsSet).toEqual(['merchantId']);
    expect((await features.secretConfig(bot.id, 'zarinpal')).merchantId).toBe(merchantId);
  });

  it('offers Zarinpal only for amounts and currencies it can take, and only when switched on', async () => {
    const gateways = ctx.get(PaymentGateways);
    expect((await gateways.availableFor(bot.id, 50_000, 'IRR')).map((g) => g.gateway.method)).toEqual(['zarinpal']);
    expect(await gateways.availableFor(bot.id, 500, 'IRR')).toEqual([]);
    expect(await gateways.availableFor(bot.id, 50_000, 'USD')).toEqual([]);
    const off = await ctx.newBot({ currency: 'IRR' });
    expect(await gateways.availableFor(off.id, 50_000, 'IRR')).toEqual([]);
    const pending = await ctx.newOrder(off.id, { plan: { priceMinor: 50_000 } });
    await expect(
      ctx.get(StartGatewayPaymentUseCase).execute({
        botId: off.id,
        gateway: 'zarinpal',
        language: 'en',
        purpose: 'order',
        orderId: pending.orderId,
        by: { userId: pending.userId },
      }),
    ).rejects.toMatchObject({ code: ErrorCode.FEATURE_NOT_ALLOWED });
    expect(await repos.gatewayPayments.count(off.id)).toBe(0);
  });

  it("refuses another user's order and gives the same open payment to a second tap", async () => {
    const s = await started();
    const stranger = await ctx.newUser(bot.id);
    const start = ctx.get(StartGatewayPaymentUseCase);
    const input = { botId: bot.id, gateway: 'zarinpal', language: 'en', purpose: 'order' as const, orderId: s.orderId };
    await expect(start.execute({ ...input, by: { userId: stranger.id } })).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
    });
    const again = await start.execute({ ...input, by: { userId: s.userId } });
    expect(again.payment.id).toBe(s.payment.id);
    expect(again.action).toMatchObject({ kind: 'url', url: s.url });
    expect(zp.payments().filter((p) => p.description.includes(s.orderId))).toHaveLength(1);
  });

  it('20 concurrent confirmations of one paid payment: the order is paid once, the hold captured once', async () => {
    const s = await started();
    zp.pay(s.authority);
    const results = await Promise.all(Array.from({ length: 20 }, () => confirm(s.payment.id)));
    expect(results.filter((r) => r.outcome === 'paid')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'already_paid')).toHaveLength(19);
    const order = (await repos.orders.findById(bot.id, s.orderId))!;
    expect(order).toMatchObject({ status: 'fulfilling', paymentMethod: 'zarinpal' });
    const payment = (await repos.gatewayPayments.findById(bot.id, s.payment.id))!;
    expect(payment).toMatchObject({ status: 'paid', creditedTo: 'order' });
    expect(payment.gatewayRef).toMatch(/^\d+$/);
    expect((await wholesaleRows(bot.id, s.orderId)).sort()).toEqual(['capture', 'hold']);
    expect(await ledgerOf(bot.id, s.userId)).toEqual([]);
    // Zarinpal was asked 20 times: one 100, the rest 101 or answered from our row.
    expect(zp.payment(s.authority)!.state).toBe('verified');
  });

  it('20 concurrent settles of one payment credit once (the row lock and the conditional move)', async () => {
    const s = await started();
    zp.pay(s.authority);
    const settle = ctx.get(SettleGatewayPaymentUseCase);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => settle.execute({ botId: bot.id, paymentId: s.payment.id, gatewayRef: '1' })),
    );
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect((await repos.orders.findById(bot.id, s.orderId))!.status).toBe('fulfilling');
    expect((await wholesaleRows(bot.id, s.orderId)).filter((k) => k === 'capture')).toHaveLength(1);
  });

  it('money that arrives after the order expired goes to the wallet once, keyed by the authority', async () => {
    const s = await started();
    const later = new Date(Date.now() + 24 * 3600_000);
    expect(await ctx.get(ExpirePendingOrdersUseCase).execute({ botId: bot.id, now: later })).toContain(s.orderId);
    zp.pay(s.authority);
    const results = await Promise.all(Array.from({ length: 10 }, () => confirm(s.payment.id)));
    expect(results.filter((r) => r.outcome === 'paid')).toHaveLength(1);
    expect((await repos.orders.findById(bot.id, s.orderId))!.status).toBe('expired');
    const ledger = await ledgerOf(bot.id, s.userId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({
      type: 'deposit',
      amountMinor: 50_000,
      idempotencyKey: gatewayCreditKey('zarinpal', s.authority),
    });
    expect((await repos.users.findById(bot.id, s.userId))!.balanceMinor).toBe(50_000);
    expect(await repos.gatewayPayments.findById(bot.id, s.payment.id)).toMatchObject({
      status: 'paid',
      creditedTo: 'wallet',
    });
    // The user is told, after the commit, through the job outbox (relayed to the notifications queue).
    expect(await wholesaleRows(bot.id, s.orderId)).not.toContain('capture');
  });

  it('an unpaid, cancelled or mismatched payment changes nothing but its own status', async () => {
    const unpaid = await started();
    expect((await confirm(unpaid.payment.id)).outcome).toBe('failed');
    const cancelled = await started();
    zp.cancel(cancelled.authority);
    expect((await ctx.get(ConfirmGatewayPaymentUseCase).cancelled(bot.id, cancelled.payment.id)).outcome).toBe(
      'failed',
    );
    const mismatch = await started();
    zp.pay(mismatch.authority, { amount: 1_000 });
    const r = await confirm(mismatch.payment.id);
    expect(r.outcome).toBe('failed');
    expect(r.payment.failureReason).toContain('-50');
    for (const s of [unpaid, cancelled, mismatch]) {
      expect((await repos.orders.findById(bot.id, s.orderId))!.status).toBe('pending');
      expect(await ledgerOf(bot.id, s.userId)).toEqual([]);
      expect(await wholesaleRows(bot.id, s.orderId)).toEqual(['hold']);
    }
  });

  it('a gateway that is down answers PAYMENT_GATEWAY_UNAVAILABLE and nothing is settled or failed', async () => {
    const s = await started();
    zp.pay(s.authority);
    zp.failNext(1);
    await expect(confirm(s.payment.id)).rejects.toMatchObject({ code: ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE });
    expect((await repos.gatewayPayments.findById(bot.id, s.payment.id))!.status).toBe('pending');
    expect((await confirm(s.payment.id)).outcome).toBe('paid');
  });

  it('the reconciler settles a payment whose callback never came, and expires stale ones', async () => {
    const lost = await started();
    zp.pay(lost.authority);
    const stale = await started();
    const reconcile = ctx.get(ReconcileGatewayPaymentsUseCase);
    const first = await reconcile.execute({ botId: bot.id, gateway: 'zarinpal' });
    expect(first.settled).toContain(lost.payment.id);
    expect(first.expired).not.toContain(stale.payment.id);
    expect((await repos.orders.findById(bot.id, lost.orderId))!.status).toBe('fulfilling');
    const later = await reconcile.execute({ botId: bot.id, gateway: 'zarinpal', now: new Date(Date.now() + 3600_000) });
    expect(later.expired).toContain(stale.payment.id);
    expect(later.settled).toEqual([]);
    expect((await repos.gatewayPayments.findById(bot.id, stale.payment.id))!.status).toBe('expired');
  });

  it('Zarinpal payments cannot be refunded online: REFUND_NOT_SUPPORTED, nothing changes', async () => {
    const s = await started();
    zp.pay(s.authority);
    await confirm(s.payment.id);
    const refund = ctx.get(RefundGatewayPaymentUseCase);
    const err = await refund
      .execute({ botId: bot.id, paymentId: s.payment.id, actor: Actors.tenantApi(bot.id) })
      .catch((e) => e);
    expect(DomainError.is(err, ErrorCode.REFUND_NOT_SUPPORTED)).toBe(true);
    expect((await repos.gatewayPayments.findById(bot.id, s.payment.id))!.status).toBe('paid');
    expect((await repos.orders.findById(bot.id, s.orderId))!.status).toBe('fulfilling');
  });

  it("a payment of one bot is not found from another bot's tenant context", async () => {
    const s = await started();
    const other = await ctx.newBot({ currency: 'IRR' });
    await expect(confirm(s.payment.id, other.id)).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(await repos.gatewayPayments.findById(other.id, s.payment.id)).toBeNull();
  });

  it('20 concurrent refunds of a fulfilled order paid with Stars: one reversal, one Telegram refund', async () => {
    await ctx.get(FeaturesService).set(bot.id, 'telegram_stars', true, undefined, Actors.tenantApi(bot.id));
    const pending = await ctx.newOrder(bot.id, { plan: { priceMinor: 50_000, priceStars: 100 } });
    const { payment, action } = await ctx.get(StartGatewayPaymentUseCase).execute({
      botId: bot.id,
      gateway: 'stars',
      language: 'en',
      purpose: 'order',
      orderId: pending.orderId,
      by: { userId: pending.userId },
    });
    if (action.kind !== 'invoice') throw new Error('Stars answer with an invoice');
    const payload = String(action.invoice.payload);
    const chargeId = ctx.telegram.sendSuccessfulPayment(bot.telegram.id, {
      from: { id: pending.telegramId, first_name: 'Buyer' },
      currency: 'XTR',
      totalAmount: 100,
      invoicePayload: payload,
    }).telegramPaymentChargeId;
    await ctx.get(StarsCheckout).paid(bot.id, {
      payload,
      currency: 'XTR',
      totalAmount: 100,
      fromTelegramId: pending.telegramId,
      chargeId,
    });
    // The panel said yes (what the provisioning job reports): the order is fulfilled.
    expect(await ctx.get(FulfilmentService).succeeded(bot.id, pending.orderId)).toBe(true);
    const refund = ctx.get(RefundGatewayPaymentUseCase);
    const runs = await Promise.all(
      Array.from({ length: 20 }, () =>
        refund.execute({ botId: bot.id, paymentId: payment.id, actor: Actors.tenantApi(bot.id) }),
      ),
    );
    expect(runs.filter((r) => r.applied)).toHaveLength(1);
    expect((await repos.orders.findById(bot.id, pending.orderId))!.status).toBe('refunded');
    expect((await repos.gatewayPayments.findById(bot.id, payment.id))!.status).toBe('refunded');
    expect((await wholesaleRows(bot.id, pending.orderId)).sort()).toEqual(['capture', 'hold', 'wholesale-refund']);
    expect(ctx.telegram.getRefunds(bot.telegram.id).filter((r) => r.telegramPaymentChargeId === chargeId)).toHaveLength(
      1,
    );
    expect(await ledgerOf(bot.id, pending.userId)).toEqual([]);
  });

  it('lists payments of every method in one history, filtered and paged; a foreign user is NOT_FOUND', async () => {
    const s = await started();
    zp.pay(s.authority);
    await confirm(s.payment.id);
    const receipt = await ctx.newReceiptToReview(bot.id, { userId: s.userId, plan: { priceMinor: 50_000 } });
    const queries = ctx.get(PaymentsQueries);
    const mine = await queries.list(bot.id, { userId: s.userId }, 1, 10);
    expect(mine.total).toBe(2);
    expect(mine.items.map((p) => [p.method, p.status]).sort()).toEqual([
      ['card_to_card', 'pending'],
      ['zarinpal', 'paid'],
    ]);
    const zarinpal = mine.items.find((p) => p.method === 'zarinpal')!;
    expect(zarinpal).toMatchObject({
      id: s.payment.id,
      purpose: 'order',
      orderId: s.orderId,
      amountMinor: 50_000,
      currency: 'IRR',
      gatewayAmount: '50000',
      gatewayUnit: 'IRR',
      externalId: s.authority,
      refundable: false,
    });
    expect(mine.items.find((p) => p.method === 'card_to_card')).toMatchObject({ id: receipt.paymentId });
    const paidZp = await queries.list(bot.id, { method: 'zarinpal', status: 'paid', userId: s.userId }, 1, 10);
    expect(paidZp.items.map((p) => p.id)).toEqual([s.payment.id]);
    const page2 = await queries.list(bot.id, { userId: s.userId }, 2, 1);
    expect(page2).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(page2.items).toHaveLength(1);
    const none = await queries.list(bot.id, { userId: s.userId, from: new Date(Date.now() + 3600_000) }, 1, 10);
    expect(none.total).toBe(0);
    const other = await ctx.newBot({ currency: 'IRR' });
    await expect(queries.list(other.id, { userId: s.userId }, 1, 10)).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
    });
    await expect(queries.getView(other.id, s.payment.id)).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
  });

  it("a bot in sandbox mode pays through Zarinpal's sandbox host, and only there", async () => {
    const sand = await ctx.newBot({ currency: 'IRR', walletMinor: 1_000_000 });
    await ctx.enableZarinpal(sand.id, merchantId, true);
    const s = await started(sand.id);
    expect(s.url.startsWith(`${sandbox.url}/pg/StartPay/`)).toBe(true);
    expect(sandbox.payment(s.authority)).toBeDefined();
    expect(zp.payment(s.authority)).toBeUndefined();
    sandbox.pay(s.authority);
    expect((await confirm(s.payment.id, sand.id)).outcome).toBe('paid');
  });
});
