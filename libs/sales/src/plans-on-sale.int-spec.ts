import { DataSource } from 'typeorm';
import { ErrorCode } from '@botfleet/common';
import { TestContext } from '@botfleet/testing';
import { CreateOrderUseCase } from './use-cases/create-order.use-case';

/** Only plans on sale are bought: never the trial plan (whatever its price), never a free plan. */
describe('plans on sale (PostgreSQL)', () => {
  let ctx: TestContext;
  let platform: DataSource;

  beforeAll(async () => {
    ctx = await TestContext.create();
    platform = await ctx.env.db.platform();
  });

  afterAll(async () => {
    await ctx?.close();
  });

  const orders = async (botId: string): Promise<number> =>
    (await platform.query(`SELECT count(*)::int AS n FROM orders WHERE bot_id = $1`, [botId]))[0].n;

  it('the trial plan cannot be ordered as a paid plan, free or priced', async () => {
    const bot = await ctx.newBot({ walletMinor: 1_000_000 });
    const user = await ctx.newUser(bot.id);
    const createOrder = ctx.get(CreateOrderUseCase);
    for (const priceMinor of [40_000, 0]) {
      const trial = await ctx.newPlan(bot.id, { priceMinor, isTrial: true });
      await expect(
        createOrder.execute({ botId: bot.id, userId: user.id, planId: trial.id, idempotencyKey: `forged:${trial.id}` }),
      ).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    }
    expect(await orders(bot.id)).toBe(0);
  });

  it('a free plan that stopped being the trial is off sale', async () => {
    const bot = await ctx.newBot({ walletMinor: 1_000_000 });
    const user = await ctx.newUser(bot.id);
    const free = await ctx.newPlan(bot.id, { priceMinor: 0, isTrial: true });
    await ctx.newPlan(bot.id, { priceMinor: 10_000, isTrial: true }); // the trial moves to this plan
    await expect(
      ctx.get(CreateOrderUseCase).execute({ botId: bot.id, userId: user.id, planId: free.id, idempotencyKey: 'free' }),
    ).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(await orders(bot.id)).toBe(0);
  });
});
