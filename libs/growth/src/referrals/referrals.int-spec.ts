import { DataSource } from 'typeorm';
import { Actors } from '@botfleet/common';
import { ConfigurationsService, FeaturesService } from '@botfleet/catalog';
import { ApproveReceiptUseCase, FulfilmentService } from '@botfleet/sales';
import { createTestEnv, TestContext, TestEnv } from '@botfleet/testing';
import { PromoCodesService } from '../promo/promo-codes.service';
import { RedeemPromoUseCase } from '../promo/redeem-promo.use-case';
import { ReferralQueries } from './referral-queries.service';

const OWNER_TG = 7_320;

describe('referral commission (real PostgreSQL and Redis)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let platform: DataSource;

  beforeAll(async () => {
    env = await createTestEnv();
    ctx = await TestContext.create({ env, jobs: 'detached' });
    platform = await env.db.platform();
  });
  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
  });

  async function shop(scope: 'first_purchase' | 'every_purchase' = 'first_purchase') {
    const bot = await ctx.newBot({ ownerTelegramId: OWNER_TG, walletMinor: 10_000_000 });
    await ctx.get(FeaturesService).set(bot.id, 'referral_program', true);
    await ctx.get(ConfigurationsService).set(bot.id, 'referral_commission_percent', 10);
    await ctx.get(ConfigurationsService).set(bot.id, 'referral_commission_scope', scope);
    const plan = await ctx.newPlan(bot.id, { priceMinor: 50_000 });
    await ctx.newCard(bot.id);
    const referrer = await ctx.newUser(bot.id);
    const friend = await ctx.newUser(bot.id, { startPayload: `ref_${referrer.referralCode}` });
    expect(friend.referrerId).toBe(referrer.id);
    return { botId: bot.id, planId: plan.id, referrer, friend };
  }

  const ledgerOf = (botId: string, userId: string) =>
    platform.query(
      `SELECT amount_minor::int AS amount, idempotency_key AS key FROM transactions
        WHERE bot_id = $1 AND user_id = $2 AND type = 'referral' ORDER BY created_at`,
      [botId, userId],
    );
  const balanceOf = async (userId: string) =>
    Number((await platform.query(`SELECT balance_minor FROM users WHERE id = $1`, [userId]))[0].balance_minor);

  it('credits the referrer once when 20 approvals of the friend’s receipt race, and reverses once on refund', async () => {
    const { botId, planId, referrer, friend } = await shop();
    const receipt = await ctx.newReceiptToReview(botId, { userId: friend.id, planId });
    const approve = ctx.get(ApproveReceiptUseCase);
    const approvals = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        approve.execute({ botId, paymentId: receipt.paymentId, actor: Actors.botAdmin(OWNER_TG) }),
      ),
    );
    expect(approvals.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await ledgerOf(botId, referrer.id)).toEqual([{ amount: 5_000, key: `referral:${receipt.orderId}` }]);
    expect(await balanceOf(referrer.id)).toBe(5_000);
    const summary = await ctx.get(ReferralQueries).summary(botId, referrer.id);
    expect(summary).toMatchObject({ joined: 1, bought: 1, earnedMinor: 5_000, reversedMinor: 0 });

    // Provisioning fails for good: the friend is refunded; 20 workers reporting it at once reverse once.
    const fulfilment = ctx.get(FulfilmentService);
    await Promise.allSettled(Array.from({ length: 20 }, () => fulfilment.failed(botId, receipt.orderId, 'panel')));
    expect(await ledgerOf(botId, referrer.id)).toEqual([
      { amount: 5_000, key: `referral:${receipt.orderId}` },
      { amount: -5_000, key: `referral:${receipt.orderId}:reversal` },
    ]);
    expect(await balanceOf(referrer.id)).toBe(0);
    const [earning] = await platform.query(`SELECT reversed_at FROM referral_earnings WHERE order_id = $1`, [
      receipt.orderId,
    ]);
    expect(earning.reversed_at).toBeInstanceOf(Date);
    expect(await ctx.get(ReferralQueries).summary(botId, referrer.id)).toMatchObject({
      bought: 0,
      earnedMinor: 0,
      reversedMinor: 5_000,
    });
  });

  it('pays on the discounted price, first purchase only by default, every purchase when configured', async () => {
    const first = await shop();
    await ctx.get(FeaturesService).set(first.botId, 'promo_codes', true);
    await ctx
      .get(PromoCodesService)
      .create(first.botId, { code: 'HALF', kind: 'percent', value: 50 }, Actors.tenantApi(first.botId));
    await ctx.get(RedeemPromoUseCase).execute({ botId: first.botId, userId: first.friend.id, code: 'HALF' });
    await ctx.newPaidOrder(first.botId, { userId: first.friend.id, planId: first.planId });
    await ctx.newPaidOrder(first.botId, { userId: first.friend.id, planId: first.planId });
    expect((await ledgerOf(first.botId, first.referrer.id)).map((r: { amount: number }) => r.amount)).toEqual([2_500]);

    const every = await shop('every_purchase');
    await ctx.newPaidOrder(every.botId, { userId: every.friend.id, planId: every.planId });
    await ctx.newPaidOrder(every.botId, { userId: every.friend.id, planId: every.planId });
    expect((await ledgerOf(every.botId, every.referrer.id)).map((r: { amount: number }) => r.amount)).toEqual([
      5_000, 5_000,
    ]);
    const page = await ctx.get(ReferralQueries).earnings(every.botId, every.referrer.id, 1, 20);
    expect(page.total).toBe(2);
    expect(page.items.every((e) => e.referredId === every.friend.id && e.amountMinor === 5_000)).toBe(true);
  });

  it('refuses self-referral: a user’s own link changes nothing and their purchase earns nothing', async () => {
    const { botId, planId, referrer } = await shop();
    const telegramId = 9_100_000_000 + Math.floor(Math.random() * 1_000_000);
    const me = await ctx.newUser(botId, { telegramId });
    const again = await ctx.newUser(botId, { telegramId, startPayload: `ref_${me.referralCode}` });
    expect(again.referrerId).toBeNull();
    await ctx.newPaidOrder(botId, { userId: me.id, planId });
    expect(await ledgerOf(botId, me.id)).toEqual([]);
    // A known user cannot be given a referrer later either (no loops: referrers are set once, at first contact).
    const late = await ctx.newUser(botId, { telegramId, startPayload: `ref_${referrer.referralCode}` });
    expect(late.referrerId).toBeNull();
    expect(
      await platform.query(`SELECT 1 FROM referral_earnings WHERE bot_id = $1 AND referred_id = $2`, [botId, me.id]),
    ).toEqual([]);
  });

  it('earns nothing while the program is off', async () => {
    const { botId, planId, referrer, friend } = await shop();
    await ctx.get(FeaturesService).set(botId, 'referral_program', false);
    await ctx.newPaidOrder(botId, { userId: friend.id, planId });
    expect(await ledgerOf(botId, referrer.id)).toEqual([]);
  });
});
