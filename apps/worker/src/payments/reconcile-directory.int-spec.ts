import { Actors, DomainError } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import { StarsCheckout, StartGatewayPaymentUseCase } from '@botfleet/payments';
import { GatewayPaymentDirectory } from '@botfleet/platform';
import { FulfilmentService } from '@botfleet/sales';
import { createTestEnv, TestContext, TestEnv } from '@botfleet/testing';

/**
 * The reconciler's list of bots (PaymentsProcessor.reconcileAll visits only these): a bot whose Telegram Stars
 * payments are all settled is on it only while a refund refused for now is still pending.
 */
describe('GatewayPaymentDirectory.botsToReconcile', () => {
  let env: TestEnv;
  let ctx: TestContext;

  beforeAll(async () => {
    env = await createTestEnv();
    ctx = await TestContext.create({ env, jobs: 'detached' });
  });

  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
  });

  it('lists a bot with a pending Stars refund until the refund is applied', async () => {
    const bot = await ctx.newBot({ currency: 'IRR', walletMinor: 10_000_000 });
    await ctx.get(FeaturesService).set(bot.id, 'telegram_stars', true, undefined, Actors.tenantApi(bot.id));
    const pending = await ctx.newOrder(bot.id, { plan: { priceMinor: 50_000, priceStars: 250 } });
    const { action } = await ctx.get(StartGatewayPaymentUseCase).execute({
      botId: bot.id,
      gateway: 'stars',
      language: 'en',
      purpose: 'order',
      orderId: pending.orderId,
      by: { userId: pending.userId },
    });
    if (action.kind !== 'invoice') throw new Error('Stars answer with an invoice');
    const from = { id: pending.telegramId, first_name: 'Buyer' };
    const payload = String(action.invoice.payload);
    const chargeId = ctx.telegram.sendSuccessfulPayment(bot.telegram.id, {
      from,
      currency: 'XTR',
      totalAmount: 250,
      invoicePayload: payload,
    }).telegramPaymentChargeId;
    const input = { chargeId, fromTelegramId: pending.telegramId };
    const checkout = ctx.get(StarsCheckout);
    await checkout.paid(bot.id, { payload, currency: 'XTR', totalAmount: 250, ...input });

    const directory = ctx.get(GatewayPaymentDirectory);
    const listed = async () => (await directory.botsToReconcile('stars', new Date())).includes(bot.id);
    expect(await listed()).toBe(false);

    // Telegram refunds while the order is still being fulfilled: refused for now, marked pending.
    ctx.telegram.sendRefundedPayment(bot.telegram.id, { from, telegramPaymentChargeId: chargeId });
    const refused = await checkout.refunded(bot.id, input).catch((e: unknown) => e);
    if (!DomainError.is(refused)) throw new Error('expected a refusal');
    await expect(checkout.refundRefused(bot.id, input, refused)).resolves.toBe('retry_later');
    expect(await listed()).toBe(true);

    await ctx.get(FulfilmentService).succeeded(bot.id, pending.orderId);
    await expect(checkout.applyLater({ botId: bot.id, ...input })).resolves.toBe('refunded');
    expect(await listed()).toBe(false);
  });
});
