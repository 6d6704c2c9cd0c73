import { randomUUID } from 'node:crypto';
import { BotSettingsService } from '@botfleet/bots';
import { WholesaleWalletService } from '@botfleet/billing';
import { FeaturesService } from '@botfleet/catalog';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { TenantRepositories } from '@botfleet/dal';
import { FulfilmentService } from '@botfleet/sales';
import { createTestEnv, TestBot, TestContext, TestEnv, ZarinpalEmulator } from '@botfleet/testing';
import { StarsCheckout } from '../gateways/stars/stars-checkout.service';
import { ConfirmGatewayPaymentUseCase } from './confirm-gateway-payment.use-case';
import { RefundGatewayPaymentUseCase } from './refund-gateway-payment.use-case';
import { RefundOrderUseCase } from './refund-order.use-case';
import { StartGatewayPaymentUseCase } from './start-gateway-payment.use-case';
import { WHOLESALE_REFUND_WINDOW_MS } from './wholesale-refund-window';

const SUPPORT = 936_001;

/** Everything but Date stays real (the database and Redis clients need their timers), as stats-time-zone does. */
const REAL = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

/** Runs `fn` with the clock reading `at` (only Date is faked). */
async function atTime<T>(at: Date, fn: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({ now: at, doNotFake: [...REAL] });
  try {
    return await fn();
  } finally {
    jest.useRealTimers();
  }
}

/**
 * The shop's refund of an order by how it was paid, on real PostgreSQL and Redis and the Zarinpal emulator: a
 * Zarinpal payment (no refund API) is refunded here and shows as refunded; a Stars payment keeps its own refund
 * route; an order still at the panel, and a support agent, are refused with nothing changed.
 */
describe('RefundOrderUseCase by payment method', () => {
  let zp: ZarinpalEmulator;
  let env: TestEnv;
  let ctx: TestContext;
  let bot: TestBot;
  let repos: TenantRepositories;
  let refund: RefundOrderUseCase;
  const merchantId = randomUUID();
  const asShop = () => Actors.tenantApi(bot.id);

  beforeAll(async () => {
    zp = await ZarinpalEmulator.start();
    zp.addMerchant(merchantId);
    env = await createTestEnv({ ZARINPAL_BASE_URL: zp.url });
    ctx = await TestContext.create({ env, jobs: 'detached' });
    repos = ctx.get(TenantRepositories);
    refund = ctx.get(RefundOrderUseCase);
    bot = await ctx.newBot({ currency: 'IRR', walletMinor: 10_000_000 });
    await ctx.setWholesalePrice(bot.id, { perPlanMinor: 5_000 });
    await ctx.enableZarinpal(bot.id, merchantId);
    await ctx.get(FeaturesService).set(bot.id, 'telegram_stars', true, undefined, asShop());
    await ctx.get(BotSettingsService).setAdminRoles(
      bot.id,
      [
        { telegramId: bot.ownerTelegramId, role: 'owner' },
        { telegramId: SUPPORT, role: 'support' },
      ],
      asShop(),
    );
  });

  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
    await zp?.close();
  });

  /** An order of 50 000 IRR paid through Zarinpal; `fulfilled` when the panel said yes. */
  async function paidByZarinpal(fulfilled = true) {
    const pending = await ctx.newOrder(bot.id, { plan: { priceMinor: 50_000 } });
    const { payment } = await ctx.get(StartGatewayPaymentUseCase).execute({
      botId: bot.id,
      gateway: 'zarinpal',
      language: 'en',
      purpose: 'order',
      orderId: pending.orderId,
      by: { userId: pending.userId },
    });
    zp.pay(payment.externalId!);
    await ctx.get(ConfirmGatewayPaymentUseCase).execute({ botId: bot.id, paymentId: payment.id });
    if (fulfilled) expect(await ctx.get(FulfilmentService).succeeded(bot.id, pending.orderId)).toBe(true);
    return { ...pending, paymentId: payment.id };
  }

  /** An order of 50 000 IRR / 100 Stars paid with Telegram Stars and delivered. */
  async function paidByStars() {
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
    expect(await ctx.get(FulfilmentService).succeeded(bot.id, pending.orderId)).toBe(true);
    return { ...pending, paymentId: payment.id };
  }

  /** The audit row of a refund (its `after`). */
  const auditAfter = async (action: string, targetId: string) =>
    (await repos.auditLogs.find(bot.id)).find((r) => r.action === action && r.targetId === targetId)?.after;

  /** What a refund changes, to compare around a refused one. */
  const stateOf = async (orderId: string, userId: string, paymentId: string) => ({
    order: (await repos.orders.findById(bot.id, orderId))!.status,
    payment: (await repos.gatewayPayments.findById(bot.id, paymentId))!.status,
    balance: (await repos.users.findById(bot.id, userId))!.balanceMinor,
    wholesale: (await repos.walletLedger.find(bot.id))
      .filter((r) => r.idempotencyKey.startsWith(`order:${orderId}:`))
      .map((r) => r.idempotencyKey)
      .sort(),
  });

  it('a Zarinpal sale is refunded to the wallet here, and its payment shows as refunded', async () => {
    const sale = await paidByZarinpal();
    const res = await refund.execute({
      botId: bot.id,
      orderId: sale.orderId,
      reason: 'Asked',
      to: 'wallet',
      actor: asShop(),
    });
    expect(res).toMatchObject({ order: { status: 'refunded' }, walletCreditedMinor: 50_000 });
    expect(await stateOf(sale.orderId, sale.userId, sale.paymentId)).toEqual({
      order: 'refunded',
      payment: 'refunded',
      balance: 50_000,
      wholesale: [
        `order:${sale.orderId}:capture`,
        `order:${sale.orderId}:hold`,
        `order:${sale.orderId}:wholesale-refund`,
      ],
    });
    expect((await repos.gatewayPayments.findById(bot.id, sale.paymentId))!.refundedAt).not.toBeNull();
  });

  it('an order still at the panel, and a support agent, are refused; nothing changes', async () => {
    const atPanel = await paidByZarinpal(false);
    const before = await stateOf(atPanel.orderId, atPanel.userId, atPanel.paymentId);
    expect(before.order).toBe('fulfilling');
    const busy = await refund
      .execute({ botId: bot.id, orderId: atPanel.orderId, reason: 'x', to: 'wallet', actor: asShop() })
      .catch((e: unknown) => e);
    expect(DomainError.is(busy, ErrorCode.CONFLICT)).toBe(true);

    const sale = await paidByZarinpal();
    const saleBefore = await stateOf(sale.orderId, sale.userId, sale.paymentId);
    const agent = await refund
      .execute({ botId: bot.id, orderId: sale.orderId, reason: 'x', to: 'wallet', actor: Actors.botAdmin(SUPPORT) })
      .catch((e: unknown) => e);
    expect(DomainError.is(agent, ErrorCode.FORBIDDEN)).toBe(true);
    expect(await stateOf(atPanel.orderId, atPanel.userId, atPanel.paymentId)).toEqual(before);
    expect(await stateOf(sale.orderId, sale.userId, sale.paymentId)).toEqual(saleBefore);
  });

  it('a Stars sale is refused here with its payment id (its refund goes through Telegram); nothing changes', async () => {
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
    await ctx.get(FulfilmentService).succeeded(bot.id, pending.orderId);
    const before = await stateOf(pending.orderId, pending.userId, payment.id);
    expect(refund.refundable((await repos.orders.findById(bot.id, pending.orderId))!)).toBe(false);
    const err = await refund
      .execute({ botId: bot.id, orderId: pending.orderId, reason: 'x', to: 'wallet', actor: asShop() })
      .catch((e: unknown) => e);
    expect(DomainError.is(err, ErrorCode.REFUND_NOT_SUPPORTED)).toBe(true);
    expect((err as DomainError).details).toEqual({ paymentId: payment.id });
    expect(await stateOf(pending.orderId, pending.userId, payment.id)).toEqual(before);
    expect(ctx.telegram.getRefunds(bot.telegram.id)).toEqual([]);
  });

  describe('the wholesale charge goes back only within WHOLESALE_REFUND_WINDOW_MS of the payment', () => {
    const longAgo = () => new Date(Date.now() - WHOLESALE_REFUND_WINDOW_MS - 60 * 60 * 1000);
    const wholesaleRefunds = async (orderId: string) =>
      (await repos.walletLedger.find(bot.id)).filter((r) => r.idempotencyKey === `order:${orderId}:wholesale-refund`);
    const shopBalance = async () => (await ctx.get(WholesaleWalletService).wallet(bot.id)).balanceMinor;
    /** A sale paid from the customer's wallet and delivered (its wholesale hold captured). */
    const delivered = async () => {
      const sale = await ctx.newPaidOrder(bot.id, { plan: { priceMinor: 50_000 } });
      expect(await ctx.get(FulfilmentService).succeeded(bot.id, sale.orderId)).toBe(true);
      return sale;
    };

    it('a refund within the window reverses the wholesale charge once', async () => {
      const sale = await delivered();
      const before = await shopBalance();
      const res = await refund.execute({
        botId: bot.id,
        orderId: sale.orderId,
        reason: 'Asked',
        to: 'offline',
        actor: asShop(),
      });
      expect(res).toMatchObject({ order: { status: 'refunded' }, wholesaleReversed: true });
      expect(await wholesaleRefunds(sale.orderId)).toHaveLength(1);
      expect(await shopBalance()).toBe(before + 5_000);
      expect(await auditAfter('order.refund', sale.orderId)).toMatchObject({ wholesaleReversed: true });
    });

    it('a refund after the window refunds the customer, but the wholesale charge stays', async () => {
      const sale = await atTime(longAgo(), delivered);
      expect(sale.order.paidAt!.getTime()).toBeLessThan(Date.now() - WHOLESALE_REFUND_WINDOW_MS);
      const before = await shopBalance();
      const res = await refund.execute({
        botId: bot.id,
        orderId: sale.orderId,
        reason: 'Used it all',
        to: 'wallet',
        actor: asShop(),
      });
      expect(res).toMatchObject({ order: { status: 'refunded' }, walletCreditedMinor: 50_000, wholesaleReversed: false });
      expect(await wholesaleRefunds(sale.orderId)).toEqual([]);
      expect(await shopBalance()).toBe(before);
      expect((await repos.users.findById(bot.id, sale.userId))!.balanceMinor).toBe(50_000);
      expect(await auditAfter('order.refund', sale.orderId)).toMatchObject({ wholesaleReversed: false });
    });

    it('a Stars refund after the window refunds the Stars but leaves the wholesale charge', async () => {
      const sale = await atTime(longAgo(), paidByStars);
      const before = await shopBalance();
      const res = await ctx
        .get(RefundGatewayPaymentUseCase)
        .execute({ botId: bot.id, paymentId: sale.paymentId, actor: asShop() });
      expect(res).toMatchObject({ applied: true, wholesaleReversed: false, payment: { status: 'refunded' } });
      expect((await repos.orders.findById(bot.id, sale.orderId))!.status).toBe('refunded');
      expect(await wholesaleRefunds(sale.orderId)).toEqual([]);
      expect(await shopBalance()).toBe(before);
      expect(ctx.telegram.getRefunds(bot.telegram.id)).toHaveLength(1);
      expect(await auditAfter('gateway_payment.refund', sale.paymentId)).toMatchObject({ wholesaleReversed: false });
    });

    it('a Stars refund within the window reverses the wholesale charge once', async () => {
      const sale = await paidByStars();
      const before = await shopBalance();
      const res = await ctx
        .get(RefundGatewayPaymentUseCase)
        .execute({ botId: bot.id, paymentId: sale.paymentId, actor: asShop() });
      expect(res).toMatchObject({ applied: true, wholesaleReversed: true });
      expect(await wholesaleRefunds(sale.orderId)).toHaveLength(1);
      expect(await shopBalance()).toBe(before + 5_000);
    });
  });
});
