import { DataSource } from 'typeorm';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import {
  ApproveReceiptUseCase,
  CreateOrderUseCase,
  PayFromWalletUseCase,
  StartCardPaymentUseCase,
  SubmitReceiptUseCase,
} from '@botfleet/sales';
import { FulfilmentService } from '@botfleet/sales';
import { BotStatsRepository } from '@botfleet/dal';
import { PaymentGateways, StarsGateway, StartGatewayPaymentUseCase } from '@botfleet/payments';
import { createTestEnv, TestContext, TestEnv } from '@botfleet/testing';
import { PromoCodeInput, PromoCodesService } from './promo-codes.service';
import { promoRejectionOf } from './promo-rules';
import { RedeemPromoUseCase } from './redeem-promo.use-case';

const OWNER_TG = 7_310;

describe('promo codes (real PostgreSQL and Redis)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let platform: DataSource;
  let codes: PromoCodesService;
  let redeem: RedeemPromoUseCase;

  beforeAll(async () => {
    env = await createTestEnv();
    ctx = await TestContext.create({ env, jobs: 'detached' });
    platform = await env.db.platform();
    codes = ctx.get(PromoCodesService);
    redeem = ctx.get(RedeemPromoUseCase);
  });
  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
  });

  const create = (botId: string, input: PromoCodeInput) => codes.create(botId, input, Actors.tenantApi(botId));

  async function shop(walletMinor = 10_000_000) {
    const bot = await ctx.newBot({ ownerTelegramId: OWNER_TG, walletMinor });
    await ctx.get(FeaturesService).set(bot.id, 'promo_codes', true);
    await ctx.setWholesalePrice(bot.id, { perPlanMinor: 1_000 });
    const plan = await ctx.newPlan(bot.id, { priceMinor: 50_000 });
    return { botId: bot.id, planId: plan.id };
  }

  const reasonOf = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? promoRejectionOf(r.reason) : null);
  const balanceOf = async (userId: string) =>
    Number((await platform.query(`SELECT balance_minor FROM users WHERE id = $1`, [userId]))[0].balance_minor);

  it('a one-use code redeemed by 100 users at once is used exactly once', async () => {
    const { botId } = await shop();
    const code = await create(botId, { code: 'once100', kind: 'balance', value: 7_000, maxUses: 1 });
    expect(code.code).toBe('ONCE100');
    const users = [];
    for (let i = 0; i < 100; i++) users.push(await ctx.newUser(botId));

    const results = await Promise.allSettled(
      users.map((u) => redeem.execute({ botId, userId: u.id, code: ' Once100 ' })),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => reasonOf(r) === 'used_up')).toHaveLength(99);
    const [row] = await platform.query(`SELECT uses_count FROM promocodes WHERE id = $1`, [code.id]);
    expect(row.uses_count).toBe(1);
    const uses = await platform.query(`SELECT user_id FROM promocode_uses WHERE promocode_id = $1`, [code.id]);
    expect(uses).toHaveLength(1);
    const ledger = await platform.query(
      `SELECT user_id, amount_minor::int AS amount, idempotency_key FROM transactions WHERE bot_id = $1 AND type = 'promo'`,
      [botId],
    );
    expect(ledger).toEqual([
      { user_id: uses[0].user_id, amount: 7_000, idempotency_key: expect.stringMatching(/^promo:/) },
    ]);
    expect(await balanceOf(uses[0].user_id)).toBe(7_000);
  });

  it('the per-user limit holds, also when one user sends the code five times at once', async () => {
    const { botId } = await shop();
    await create(botId, { code: 'TWICE', kind: 'balance', value: 500, perUserLimit: 2 });
    const user = await ctx.newUser(botId);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => redeem.execute({ botId, userId: user.id, code: 'twice' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(results.filter((r) => reasonOf(r) === 'already_used')).toHaveLength(3);
    expect(await balanceOf(user.id)).toBe(1_000);
    // Another user still has their own two.
    const other = await ctx.newUser(botId);
    await expect(redeem.execute({ botId, userId: other.id, code: 'TWICE' })).resolves.toMatchObject({
      outcome: 'credited',
    });
  });

  it('a discount applied at checkout is what the wallet charges; wholesale stays on the plan', async () => {
    const { botId, planId } = await shop();
    await create(botId, { code: 'SAVE20', kind: 'percent', value: 20 });
    const pending = await ctx.newOrder(botId, { planId });
    expect(pending.order.wholesaleMinor).toBe(1_000);

    const applied = await redeem.execute({ botId, userId: pending.userId, code: 'save20', orderId: pending.orderId });
    expect(applied.outcome).toBe('applied');
    await ctx.deposit(botId, pending.userId, 40_000);
    const paid = await ctx
      .get(PayFromWalletUseCase)
      .execute({ botId, orderId: pending.orderId, by: { userId: pending.userId } });

    expect(paid).toMatchObject({ amountMinor: 40_000, discountMinor: 10_000, status: 'fulfilling' });
    expect(paid.promocodeId).toBe(applied.code.id);
    expect(paid.wholesaleMinor).toBe(1_000);
    expect(await balanceOf(pending.userId)).toBe(0);
    // The shop's wholesale wallet paid the plan's wholesale cost, not a discounted one.
    const [wallet] = await platform.query(
      `SELECT wallet_balance_minor::bigint AS balance, wallet_held_minor::bigint AS held FROM bots WHERE id = $1`,
      [botId],
    );
    expect({ balance: Number(wallet.balance), held: Number(wallet.held) }).toEqual({
      balance: 10_000_000 - 1_000,
      held: 0,
    });
    // The tenant's stats show the discount next to the revenue and the wholesale on the plan.
    const today = new Date().toISOString().slice(0, 10);
    const [day] = await ctx.get(BotStatsRepository).salesAndNewUsersByDay(botId, today, today, paid.currency, 'UTC');
    expect(day).toMatchObject({ sales: 1, revenue_minor: '40000', discount_minor: '10000', wholesale_minor: '1000' });
  });

  it('a discounted order paid by card asks for and records the discounted amount', async () => {
    const { botId, planId } = await shop();
    await ctx.newCard(botId);
    await create(botId, { code: 'MINUS5K', kind: 'fixed', value: 5_000, planId });
    const pending = await ctx.newOrder(botId, { planId });
    await redeem.execute({ botId, userId: pending.userId, code: 'MINUS5K', orderId: pending.orderId });

    const { payment } = await ctx
      .get(StartCardPaymentUseCase)
      .execute({ botId, orderId: pending.orderId, by: { userId: pending.userId } });
    expect(payment.amountMinor).toBe(45_000);
    // Once a payment is under way the price is fixed: no second code, no change.
    await create(botId, { code: 'LATE', kind: 'fixed', value: 1_000 });
    const late = await redeem
      .execute({ botId, userId: pending.userId, code: 'LATE', orderId: pending.orderId })
      .catch((e: unknown) => e);
    expect(promoRejectionOf(late)).toBe('order_locked');
    await ctx.get(SubmitReceiptUseCase).execute({
      botId,
      userId: pending.userId,
      receipt: { kind: 'photo', fileId: 'P5K', fileUniqueId: `P5K-${pending.orderId}` },
      trackingNumber: payment.trackingNumber,
    });
    await ctx.get(ApproveReceiptUseCase).execute({ botId, paymentId: payment.id, actor: Actors.botAdmin(OWNER_TG) });
    const [order] = await platform.query(
      `SELECT status, amount_minor::int AS amount, discount_minor::int AS discount, wholesale_minor::int AS wholesale
         FROM orders WHERE id = $1`,
      [pending.orderId],
    );
    expect(order).toEqual({ status: 'fulfilling', amount: 45_000, discount: 5_000, wholesale: 1_000 });
    const [late2] = await platform.query(`SELECT uses_count FROM promocodes WHERE code = 'LATE' AND bot_id = $1`, [
      botId,
    ]);
    expect(late2.uses_count).toBe(0);
  });

  it('a discounted order is also cheaper in Telegram Stars, in the same proportion', async () => {
    const { botId } = await shop();
    const starsPlan = await ctx.newPlan(botId, { priceMinor: 50_000, priceStars: 99 });
    await create(botId, { code: 'STAR20', kind: 'percent', value: 20 });
    const pending = await ctx.newOrder(botId, { planId: starsPlan.id });
    const stars = ctx.get(StarsGateway);
    expect(await stars.orderPriceStars(botId, pending.orderId)).toBe(99);
    await redeem.execute({ botId, userId: pending.userId, code: 'STAR20', orderId: pending.orderId });
    expect(await stars.orderPriceStars(botId, pending.orderId)).toBe(80);
  });

  it('a code that takes the whole price leaves less than a Star owed: Stars is neither offered nor started', async () => {
    const { botId } = await shop();
    await ctx.get(FeaturesService).set(botId, 'telegram_stars', true, undefined, Actors.tenantApi(botId));
    const starsPlan = await ctx.newPlan(botId, { priceMinor: 50_000, priceStars: 99 });
    await create(botId, { code: 'ALLOFF', kind: 'fixed', value: 50_000 });
    const pending = await ctx.newOrder(botId, { planId: starsPlan.id });
    const applied = await redeem.execute({ botId, userId: pending.userId, code: 'ALLOFF', orderId: pending.orderId });
    // The promo rules never make an order free: one minor unit is left (what the other methods charge).
    expect(applied.outcome === 'applied' && applied.order).toMatchObject({ amountMinor: 1, discountMinor: 49_999 });
    // 99 Stars × 1/50 000 owed: Telegram's minimum of 1 Star would charge about 500 times that.
    expect(await ctx.get(StarsGateway).orderPriceStars(botId, pending.orderId)).toBeNull();
    const offered = await ctx.get(PaymentGateways).availableFor(botId, 1, 'IRR', { orderId: pending.orderId });
    expect(offered.map((g) => g.gateway.method)).not.toContain('stars');
    const refused = await ctx
      .get(StartGatewayPaymentUseCase)
      .execute({
        botId,
        gateway: 'stars',
        language: 'en',
        purpose: 'order',
        orderId: pending.orderId,
        by: { userId: pending.userId },
      })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: ErrorCode.FEATURE_NOT_ALLOWED, message: 'stars cannot take this amount' });
    const [{ n }] = await platform.query(`SELECT count(*)::int AS n FROM gateway_payments WHERE order_id = $1`, [
      pending.orderId,
    ]);
    expect(n).toBe(0);
    // The customer's other way stays open: the wallet pays the one minor unit left.
    await ctx.deposit(botId, pending.userId, 1);
    await ctx.get(PayFromWalletUseCase).execute({ botId, orderId: pending.orderId, by: { userId: pending.userId } });
    const [order] = await platform.query(`SELECT status, payment_method FROM orders WHERE id = $1`, [pending.orderId]);
    expect(order.payment_method).toBe('wallet');
    expect(order.status).not.toBe('pending');
  });

  it('an extra-days code lengthens the order the provisioning reads, at the same price', async () => {
    const { botId, planId } = await shop();
    await create(botId, { code: 'WEEK', kind: 'extra_days', value: 7 });
    const pending = await ctx.newOrder(botId, { planId });
    const applied = await redeem.execute({ botId, userId: pending.userId, code: 'week', orderId: pending.orderId });
    expect(applied.outcome === 'applied' && applied.order).toMatchObject({
      periodDays: 37,
      amountMinor: 50_000,
      discountMinor: 0,
      wholesaleMinor: 1_000,
    });
  });

  it('a plan-restricted code refuses another plan and changes nothing', async () => {
    const { botId, planId } = await shop();
    const other = await ctx.newPlan(botId, { priceMinor: 30_000 });
    const code = await create(botId, { code: 'ONLYONE', kind: 'percent', value: 50, planId });
    const pending = await ctx.newOrder(botId, { planId: other.id });
    const err = await redeem
      .execute({ botId, userId: pending.userId, code: 'ONLYONE', orderId: pending.orderId })
      .catch((e: unknown) => e);
    expect(promoRejectionOf(err)).toBe('wrong_plan');
    const [order] = await platform.query(`SELECT amount_minor::int AS amount, promocode_id FROM orders WHERE id = $1`, [
      pending.orderId,
    ]);
    expect(order).toEqual({ amount: 30_000, promocode_id: null });
    expect((await codes.get(botId, code.id)).usesCount).toBe(0);
  });

  it('/promo stores a discount for the next order; an order that expires keeps it for the next one', async () => {
    const { botId, planId } = await shop();
    await create(botId, { code: 'NEXT10', kind: 'percent', value: 10, maxUses: 1 });
    const user = await ctx.newUser(botId);
    await expect(redeem.execute({ botId, userId: user.id, code: 'NEXT10' })).resolves.toMatchObject({
      outcome: 'stored',
    });
    const first = await ctx.get(CreateOrderUseCase).execute({ botId, userId: user.id, planId, idempotencyKey: 'n1' });
    expect(first.order).toMatchObject({ amountMinor: 45_000, discountMinor: 5_000 });

    // The customer picks another plan: the first order ends, the code waits for the new order.
    const other = await ctx.newPlan(botId, { priceMinor: 20_000 });
    const second = await ctx
      .get(CreateOrderUseCase)
      .execute({ botId, userId: user.id, planId: other.id, idempotencyKey: 'n2' });
    expect(second.order).toMatchObject({ amountMinor: 18_000, discountMinor: 2_000 });
    const [code] = await platform.query(`SELECT uses_count FROM promocodes WHERE code = 'NEXT10' AND bot_id = $1`, [
      botId,
    ]);
    expect(code.uses_count).toBe(1);
  });

  it('an expired order whose customer has another code waiting gives its use back: one code waits, never two', async () => {
    const { botId, planId } = await shop();
    const a = await create(botId, { code: 'FIRSTA', kind: 'percent', value: 10, maxUses: 1 });
    const b = await create(botId, { code: 'SECONDB', kind: 'fixed', value: 1_000 });
    const pending = await ctx.newOrder(botId, { planId });
    await redeem.execute({ botId, userId: pending.userId, code: 'FIRSTA', orderId: pending.orderId });
    await expect(redeem.execute({ botId, userId: pending.userId, code: 'SECONDB' })).resolves.toMatchObject({
      outcome: 'stored',
    });

    // Another plan: the first order expires; SECONDB waits already, so FIRSTA's use goes back to its code.
    const other = await ctx.newPlan(botId, { priceMinor: 20_000 });
    const next = await ctx
      .get(CreateOrderUseCase)
      .execute({ botId, userId: pending.userId, planId: other.id, idempotencyKey: 'w2' });
    expect(next.order).toMatchObject({ amountMinor: 19_000, discountMinor: 1_000, promocodeId: b.id });
    expect((await codes.get(botId, a.id)).usesCount).toBe(0);
    const waiting = await platform.query(
      `SELECT id FROM promocode_uses WHERE bot_id = $1 AND user_id = $2 AND order_id IS NULL`,
      [botId, pending.userId],
    );
    expect(waiting).toHaveLength(0);
  });

  it('a refunded order gives its use back to the code', async () => {
    const { botId, planId } = await shop();
    const code = await create(botId, { code: 'ONCEREF', kind: 'fixed', value: 10_000, maxUses: 1 });
    const pending = await ctx.newOrder(botId, { planId });
    await redeem.execute({ botId, userId: pending.userId, code: 'ONCEREF', orderId: pending.orderId });
    await ctx.deposit(botId, pending.userId, 40_000);
    await ctx.get(PayFromWalletUseCase).execute({ botId, orderId: pending.orderId, by: { userId: pending.userId } });
    expect((await codes.get(botId, code.id)).usesCount).toBe(1);

    await ctx.get(FulfilmentService).failed(botId, pending.orderId, 'panel down');
    expect((await codes.get(botId, code.id)).usesCount).toBe(0);
    expect(await balanceOf(pending.userId)).toBe(40_000);
    const other = await ctx.newUser(botId);
    await expect(redeem.execute({ botId, userId: other.id, code: 'ONCEREF' })).resolves.toMatchObject({
      outcome: 'stored',
    });
  });

  it('refuses bad codes with a reason and a first-purchase-only code after a purchase', async () => {
    const { botId, planId } = await shop();
    const user = await ctx.newUser(botId);
    for (const typed of ['', 'x', 'NO SUCH', 'NOPE1', '<b>x</b>']) {
      const e = await redeem.execute({ botId, userId: user.id, code: typed }).catch((err: unknown) => err);
      expect(promoRejectionOf(e)).toBe('unknown');
    }
    await create(botId, {
      code: 'LATER',
      kind: 'balance',
      value: 100,
      validFrom: new Date(Date.now() + 86_400_000),
    });
    const e1 = await redeem.execute({ botId, userId: user.id, code: 'LATER' }).catch((err: unknown) => err);
    expect(promoRejectionOf(e1)).toBe('not_started');
    await create(botId, { code: 'FIRST', kind: 'balance', value: 100, firstPurchaseOnly: true });
    await ctx.newPaidOrder(botId, { userId: user.id, planId });
    const e2 = await redeem.execute({ botId, userId: user.id, code: 'FIRST' }).catch((err: unknown) => err);
    expect(promoRejectionOf(e2)).toBe('first_purchase_only');
    expect(await balanceOf(user.id)).toBe(0);
  });

  it('validates codes on create and update and refuses a duplicate', async () => {
    const { botId } = await shop();
    const bad = [
      { code: 'a b', kind: 'percent' as const, value: 10 },
      { code: 'PCT', kind: 'percent' as const, value: 100 },
      { code: 'DAYS', kind: 'extra_days' as const, value: 0 },
      { code: 'WIN', kind: 'fixed' as const, value: 10, validFrom: new Date(2), validUntil: new Date(1) },
      { code: 'PLAN', kind: 'balance' as const, value: 10, planId: '00000000-0000-4000-8000-000000000000' },
    ];
    for (const input of bad) {
      await expect(create(botId, input)).rejects.toMatchObject({ code: ErrorCode.VALIDATION_FAILED });
    }
    expect((await codes.list(botId, 1, 20)).total).toBe(0);
    const c = await create(botId, { code: 'DUP', kind: 'fixed', value: 10, maxUses: 5 });
    await expect(create(botId, { code: 'dup', kind: 'fixed', value: 10 })).rejects.toMatchObject({
      code: ErrorCode.CONFLICT,
    });
    await expect(codes.update(botId, c.id, { value: 0 }, Actors.tenantApi(botId))).rejects.toBeInstanceOf(DomainError);
    expect(await codes.update(botId, c.id, { maxUses: null, isActive: false }, Actors.tenantApi(botId))).toMatchObject({
      maxUses: null,
      isActive: false,
    });
    expect(await codes.remove(botId, c.id, Actors.tenantApi(botId))).toBe('deleted');
    const audit = await platform.query(
      `SELECT action, actor_type FROM audit_logs WHERE bot_id = $1 AND target_id = $2 ORDER BY created_at, action`,
      [botId, c.id],
    );
    expect(audit.map((a: { action: string }) => a.action).sort()).toEqual([
      'promo_code.create',
      'promo_code.delete',
      'promo_code.update',
    ]);
  });
});
