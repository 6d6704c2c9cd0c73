import { randomUUID } from 'node:crypto';
import { BotSettingsService } from '@botfleet/bots';
import { FeaturesService } from '@botfleet/catalog';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { TenantRepositories } from '@botfleet/dal';
import { FulfilmentService } from '@botfleet/sales';
import { createTestEnv, TestBot, TestContext, TestEnv, ZarinpalEmulator } from '@botfleet/testing';
import { StarsCheckout } from '../gateways/stars/stars-checkout.service';
import { ConfirmGatewayPaymentUseCase } from './confirm-gateway-payment.use-case';
import { RefundOrderUseCase } from './refund-order.use-case';
import { StartGatewayPaymentUseCase } from './start-gateway-payment.use-case';

const SUPPORT = 936_001;

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
});
