import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { FeaturesService, PlansService } from '@botfleet/catalog';
import { AppConfig } from '@botfleet/config';
import { TenantRepositories } from '@botfleet/dal';
import { JobName, JobQueue, QueueName, jobIdFor } from '@botfleet/jobs';
import { ExpirePendingOrdersUseCase, FulfilmentService, PayFromWalletUseCase } from '@botfleet/sales';
import { createTestEnv, TestBot, TestContext, TestEnv } from '@botfleet/testing';
import { PaymentGateways } from '../../payment-gateways';
import { RefundGatewayPaymentUseCase } from '../../use-cases/refund-gateway-payment.use-case';
import { StartGatewayPaymentUseCase } from '../../use-cases/start-gateway-payment.use-case';
import { pendingRefundOf, refundJobId, StarsCheckout } from './stars-checkout.service';
import { parseStarsPayload } from './stars.gateway';

/**
 * Telegram Stars through the payments port, against real PostgreSQL and the Telegram emulator over HTTP (for
 * refundStarPayment): the checkout's checks, one credit per charge under real concurrency, refunds once.
 */
describe('Telegram Stars gateway', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let bot: TestBot;
  let repos: TenantRepositories;
  let checkout: StarsCheckout;

  beforeAll(async () => {
    env = await createTestEnv();
    ctx = await TestContext.create({ env, jobs: 'detached' });
    repos = ctx.get(TenantRepositories);
    checkout = ctx.get(StarsCheckout);
    bot = await ctx.newBot({ currency: 'IRR', walletMinor: 10_000_000 });
    await ctx.get(FeaturesService).set(bot.id, 'telegram_stars', true, undefined, Actors.tenantApi(bot.id));
  });

  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
  });

  /** A pending order of a plan priced 250 Stars, and its Stars invoice. */
  async function invoiced(priceStars: number | null = 250) {
    const pending = await ctx.newOrder(bot.id, { plan: { priceMinor: 50_000, priceStars } });
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
    return { ...pending, payment, payload, amount: Number(action.invoice.amount) };
  }

  /** The user pays in Telegram: the emulator records the charge (refundStarPayment checks it). */
  const charge = (telegramId: number, payload: string, amount: number) =>
    ctx.telegram.sendSuccessfulPayment(bot.telegram.id, {
      from: { id: telegramId, first_name: 'Buyer' },
      currency: 'XTR',
      totalAmount: amount,
      invoicePayload: payload,
    }).telegramPaymentChargeId;

  it('is offered only for a plan with a Stars price and with the feature on; the invoice names the payment', async () => {
    const gateways = ctx.get(PaymentGateways);
    const priced = await ctx.newOrder(bot.id, { plan: { priceMinor: 50_000, priceStars: 99 } });
    const unpriced = await ctx.newOrder(bot.id, { plan: { priceMinor: 50_000 } });
    const methods = async (orderId: string) =>
      (await gateways.availableFor(bot.id, 50_000, 'IRR', { orderId })).map((g) => g.gateway.method);
    expect(await methods(priced.orderId)).toContain('stars');
    expect(await methods(unpriced.orderId)).not.toContain('stars');
    expect((await gateways.availableFor(bot.id, 50_000, 'IRR')).map((g) => g.gateway.method)).not.toContain('stars');

    const { payment, payload, amount } = await invoiced(120);
    expect(amount).toBe(120);
    expect(parseStarsPayload(payload)).toBe(payment.id);
    expect(payment).toMatchObject({ gateway: 'stars', status: 'pending', gatewayUnit: 'XTR', externalId: null });

    await expect(invoiced(null)).rejects.toMatchObject({ code: ErrorCode.FEATURE_NOT_ALLOWED });
  });

  it('pre-checkout: ok for the buyer at the recorded price; refused for a changed price, another user, a closed order', async () => {
    const a = await invoiced(250);
    const q = { payload: a.payload, currency: 'XTR', totalAmount: 250, fromTelegramId: a.telegramId };
    await expect(checkout.preCheckout(bot.id, q)).resolves.toEqual({ ok: true });
    await expect(checkout.preCheckout(bot.id, { ...q, totalAmount: 249 })).resolves.toEqual({
      ok: false,
      reason: 'price_changed',
    });
    await expect(checkout.preCheckout(bot.id, { ...q, fromTelegramId: a.telegramId + 1 })).resolves.toEqual({
      ok: false,
      reason: 'unknown',
    });
    await expect(checkout.preCheckout(bot.id, { ...q, payload: 'stars:not-a-payment' })).resolves.toEqual({
      ok: false,
      reason: 'unknown',
    });
    // The tenant changes the plan's Stars price after the invoice was sent.
    await ctx.get(PlansService).update(bot.id, a.planId, { priceStars: 300 }, Actors.tenantApi(bot.id));
    await expect(checkout.preCheckout(bot.id, q)).resolves.toEqual({ ok: false, reason: 'price_changed' });

    // The order expires (its deadline is set in the past by hand: time the product cannot make pass).
    const b = await invoiced(250);
    await repos.orders.update(bot.id, { id: b.orderId }, { createdAt: new Date(Date.now() - 24 * 3600_000) });
    await ctx.get(ExpirePendingOrdersUseCase).execute({ botId: bot.id });
    expect((await repos.orders.findById(bot.id, b.orderId))!.status).toBe('expired');
    await expect(
      checkout.preCheckout(bot.id, {
        payload: b.payload,
        currency: 'XTR',
        totalAmount: 250,
        fromTelegramId: b.telegramId,
      }),
    ).resolves.toEqual({ ok: false, reason: 'not_payable' });
  });

  it('the same successful_payment 20 times at once pays the order once', async () => {
    const a = await invoiced(250);
    const chargeId = charge(a.telegramId, a.payload, 250);
    const input = { payload: a.payload, currency: 'XTR', totalAmount: 250, fromTelegramId: a.telegramId, chargeId };
    const results = await Promise.all(Array.from({ length: 20 }, () => checkout.paid(bot.id, input)));
    expect(results.filter((r) => r.outcome === 'settled')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'already')).toHaveLength(19);
    const payments = await repos.gatewayPayments.find(bot.id, { where: { orderId: a.orderId } });
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ status: 'paid', externalId: chargeId, creditedTo: 'order' });
    const order = (await repos.orders.findById(bot.id, a.orderId))!;
    expect(order.paymentMethod).toBe('stars');
    expect(['paid', 'fulfilling']).toContain(order.status);
    // No wallet money: the order took it.
    expect(await repos.transactions.find(bot.id, { where: { userId: a.userId } })).toEqual([]);
    // A later pre-checkout of the same invoice is refused (the order is paid).
    await expect(
      checkout.preCheckout(bot.id, {
        payload: a.payload,
        currency: 'XTR',
        totalAmount: 250,
        fromTelegramId: a.telegramId,
      }),
    ).resolves.toEqual({ ok: false, reason: 'not_payable' });
  });

  it('a charge from another user or for an unknown payload credits nothing', async () => {
    const a = await invoiced(250);
    const other = await ctx.newUser(bot.id);
    const r = await checkout.paid(bot.id, {
      payload: a.payload,
      currency: 'XTR',
      totalAmount: 250,
      fromTelegramId: other.telegramId,
      chargeId: 'stxforged1',
    });
    expect(r.outcome).toBe('unknown');
    expect((await repos.gatewayPayments.findById(bot.id, a.payment.id))!.status).toBe('pending');
    expect((await repos.orders.findById(bot.id, a.orderId))!.status).toBe('pending');
  });

  it('money for an order that closed meanwhile goes to the wallet; refunds take it back once and refund Telegram once', async () => {
    const a = await invoiced(250);
    await repos.orders.update(bot.id, { id: a.orderId }, { createdAt: new Date(Date.now() - 24 * 3600_000) });
    await ctx.get(ExpirePendingOrdersUseCase).execute({ botId: bot.id });
    const chargeId = charge(a.telegramId, a.payload, 250);
    const paid = await checkout.paid(bot.id, {
      payload: a.payload,
      currency: 'XTR',
      totalAmount: 250,
      fromTelegramId: a.telegramId,
      chargeId,
    });
    expect(paid).toMatchObject({ outcome: 'settled', payment: { creditedTo: 'wallet', status: 'paid' } });
    expect((await repos.users.findById(bot.id, a.userId))!.balanceMinor).toBe(50_000);

    const refund = ctx.get(RefundGatewayPaymentUseCase);
    const runs = await Promise.all(
      Array.from({ length: 5 }, () =>
        refund.execute({ botId: bot.id, paymentId: a.payment.id, actor: Actors.tenantApi(bot.id) }),
      ),
    );
    expect(runs.filter((r) => r.applied)).toHaveLength(1);
    expect(ctx.telegram.getRefunds(bot.telegram.id).filter((r) => r.telegramPaymentChargeId === chargeId)).toHaveLength(
      1,
    );
    expect((await repos.users.findById(bot.id, a.userId))!.balanceMinor).toBe(0);
    const rows = await repos.transactions.find(bot.id, { where: { userId: a.userId } });
    expect(rows.map((t) => t.idempotencyKey).sort()).toEqual([`stars:${chargeId}`, `stars:${chargeId}:refund`]);

    // Telegram's own refunded_payment for it later: already refunded, nothing changes.
    await expect(checkout.refunded(bot.id, { chargeId, fromTelegramId: a.telegramId })).resolves.toBe('already');
  });

  it('refunded_payment from Telegram refunds once; another user or charge changes nothing', async () => {
    const a = await invoiced(250);
    await repos.orders.update(bot.id, { id: a.orderId }, { createdAt: new Date(Date.now() - 24 * 3600_000) });
    await ctx.get(ExpirePendingOrdersUseCase).execute({ botId: bot.id });
    const chargeId = charge(a.telegramId, a.payload, 250);
    await checkout.paid(bot.id, {
      payload: a.payload,
      currency: 'XTR',
      totalAmount: 250,
      fromTelegramId: a.telegramId,
      chargeId,
    });
    // Telegram refunded on its own first (the emulator marks the charge refunded).
    ctx.telegram.sendRefundedPayment(bot.telegram.id, {
      from: { id: a.telegramId, first_name: 'Buyer' },
      telegramPaymentChargeId: chargeId,
    });
    await expect(checkout.refunded(bot.id, { chargeId, fromTelegramId: a.telegramId + 1 })).resolves.toBe('unknown');
    await expect(checkout.refunded(bot.id, { chargeId: 'stxnope', fromTelegramId: a.telegramId })).resolves.toBe(
      'unknown',
    );
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => checkout.refunded(bot.id, { chargeId, fromTelegramId: a.telegramId })),
    );
    expect(outcomes.filter((o) => o === 'refunded')).toHaveLength(1);
    expect((await repos.gatewayPayments.findById(bot.id, a.payment.id))!.status).toBe('refunded');
    expect((await repos.users.findById(bot.id, a.userId))!.balanceMinor).toBe(0);
    // refundStarPayment said "already refunded" (success): Telegram has exactly the one refund it made itself.
    expect(ctx.telegram.getRefunds(bot.telegram.id).filter((r) => r.telegramPaymentChargeId === chargeId)).toHaveLength(
      1,
    );
  });

  /** What `refunded` threw (it must refuse). */
  const refusal = async (run: Promise<unknown>): Promise<DomainError> => {
    const e = await run.then(
      () => null,
      (err: unknown) => err,
    );
    if (!DomainError.is(e)) throw new Error(`expected a refusal, got ${String(e)}`);
    return e;
  };
  /** The owner's alert about a payment's refund (by its job id), and how many such alerts name its order. */
  const ownerAlerts = async (paymentId: string, orderId: string) => {
    const notifications = ctx.get(JobQueue).queue(QueueName.Notifications);
    const job = await notifications.getJob(
      jobIdFor(JobName.NotifyOwner, [bot.id, 'stars_refund_unapplied', paymentId]),
    );
    const count = (await notifications.getJobs()).filter(
      (j) =>
        j.name === JobName.NotifyOwner && j.data.kind === 'stars_refund_unapplied' && j.data.data?.order === orderId,
    ).length;
    return { job, count };
  };

  it('refunded_payment while the order is fulfilling: retried (one job per charge) and applied once it settles', async () => {
    const a = await invoiced(250);
    const chargeId = charge(a.telegramId, a.payload, 250);
    const input = { chargeId, fromTelegramId: a.telegramId };
    await checkout.paid(bot.id, { payload: a.payload, currency: 'XTR', totalAmount: 250, ...input });
    // Nobody provisions in this context: the order stays `fulfilling`.
    expect((await repos.orders.findById(bot.id, a.orderId))!.status).toBe('fulfilling');
    ctx.telegram.sendRefundedPayment(bot.telegram.id, {
      from: { id: a.telegramId, first_name: 'Buyer' },
      telegramPaymentChargeId: chargeId,
    });
    const refused = await refusal(checkout.refunded(bot.id, input));
    expect(refused.code).toBe(ErrorCode.CONFLICT);
    const followUps = await Promise.all([1, 2, 3].map(() => checkout.refundRefused(bot.id, input, refused)));
    expect(followUps).toEqual(['retry_later', 'retry_later', 'retry_later']);
    const provisioning = ctx.get(JobQueue).queue(QueueName.Provisioning);
    const retries = (await provisioning.getJobs()).filter((j) => j.name === JobName.ApplyStarsRefund);
    expect(retries.filter((j) => j.data.chargeId === chargeId)).toHaveLength(1);
    const pending = pendingRefundOf((await repos.gatewayPayments.findById(bot.id, a.payment.id))!)!;
    expect(pending.fromTelegramId).toBe(a.telegramId);
    const retry = (await provisioning.getJob(refundJobId(bot.id, a.payment.id, pending.queuedAt)))!;
    expect(retry.data).toEqual({ botId: bot.id, chargeId, fromTelegramId: a.telegramId });
    const config = ctx.get(AppConfig);
    expect(retry.opts.attempts).toBeGreaterThan(config.PROVISIONING_ATTEMPTS);

    // The job's run before the panel answered: refused again (BullMQ retries it), nothing changed.
    await expect(checkout.applyLater(retry.data)).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
    expect((await repos.gatewayPayments.findById(bot.id, a.payment.id))!.status).toBe('paid');

    await ctx.get(FulfilmentService).succeeded(bot.id, a.orderId);
    await expect(checkout.applyLater(retry.data)).resolves.toBe('refunded');
    await expect(checkout.applyLater(retry.data)).resolves.toBe('already');
    const refunded = (await repos.gatewayPayments.findById(bot.id, a.payment.id))!;
    expect(refunded.status).toBe('refunded');
    expect(pendingRefundOf(refunded)).toBeNull();
    expect((await repos.orders.findById(bot.id, a.orderId))!.status).toBe('refunded');
    // A late final failure of the job (it had succeeded after all) tells nobody.
    await checkout.gaveUp(retry.data);
    expect((await ownerAlerts(a.payment.id, a.orderId)).job).toBeUndefined();
  });

  it('a refund whose retries ran out (the order never settled) tells the owner once', async () => {
    const a = await invoiced(250);
    const chargeId = charge(a.telegramId, a.payload, 250);
    await checkout.paid(bot.id, {
      payload: a.payload,
      currency: 'XTR',
      totalAmount: 250,
      fromTelegramId: a.telegramId,
      chargeId,
    });
    const job = { botId: bot.id, chargeId, fromTelegramId: a.telegramId };
    await Promise.all([1, 2, 3].map(() => checkout.gaveUp(job)));
    const { job: alert, count } = await ownerAlerts(a.payment.id, a.orderId);
    expect(alert?.data).toEqual({
      botId: bot.id,
      kind: 'stars_refund_unapplied',
      data: { telegramId: String(a.telegramId), stars: 250, order: a.orderId, reason: 'unsettled' },
    });
    expect(count).toBe(1);
    expect((await repos.orders.findById(bot.id, a.orderId))!.status).toBe('fulfilling');
    expect((await repos.gatewayPayments.findById(bot.id, a.payment.id))!.status).toBe('paid');
  });

  it('a refund of wallet money already spent tells the owner once, however often it comes; nothing else changes', async () => {
    const a = await invoiced(250);
    await repos.orders.update(bot.id, { id: a.orderId }, { createdAt: new Date(Date.now() - 24 * 3600_000) });
    await ctx.get(ExpirePendingOrdersUseCase).execute({ botId: bot.id });
    const chargeId = charge(a.telegramId, a.payload, 250);
    const input = { chargeId, fromTelegramId: a.telegramId };
    await checkout.paid(bot.id, { payload: a.payload, currency: 'XTR', totalAmount: 250, ...input });
    expect((await repos.users.findById(bot.id, a.userId))!.balanceMinor).toBe(50_000);
    // The buyer spends the credited money on another plan.
    const other = await ctx.newOrder(bot.id, { userId: a.userId, plan: { priceMinor: 50_000 } });
    await ctx.get(PayFromWalletUseCase).execute({ botId: bot.id, orderId: other.orderId, by: { userId: a.userId } });
    expect((await repos.users.findById(bot.id, a.userId))!.balanceMinor).toBe(0);
    const ledgerBefore = (await repos.transactions.find(bot.id, { where: { userId: a.userId } })).length;

    const refused = await refusal(checkout.refunded(bot.id, input));
    expect(refused.code).toBe(ErrorCode.INSUFFICIENT_BALANCE);
    const followUps = await Promise.all([1, 2, 3].map(() => checkout.refundRefused(bot.id, input, refused)));
    expect(followUps).toEqual(['owner_told', 'owner_told', 'owner_told']);
    await expect(checkout.applyLater({ botId: bot.id, ...input })).resolves.toBe('owner_told');
    const { job: alert, count } = await ownerAlerts(a.payment.id, a.orderId);
    expect(alert?.data.data).toEqual({
      telegramId: String(a.telegramId),
      stars: 250,
      order: a.orderId,
      reason: 'spent',
    });
    expect(count).toBe(1);
    expect((await repos.gatewayPayments.findById(bot.id, a.payment.id))!.status).toBe('paid');
    expect((await repos.users.findById(bot.id, a.userId))!.balanceMinor).toBe(0);
    expect((await repos.transactions.find(bot.id, { where: { userId: a.userId } })).length).toBe(ledgerBefore);
    const retries = await ctx.get(JobQueue).queue(QueueName.Provisioning).getJobs();
    expect(retries.filter((j) => j.name === JobName.ApplyStarsRefund && j.data.chargeId === chargeId)).toHaveLength(0);
  });
});
