import { randomBytes } from 'node:crypto';
import { BotSettingsService } from '@botfleet/bots';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { CreateOrderUseCase } from '@botfleet/sales';
import { TestContext } from '@botfleet/testing';
import { DataSource } from 'typeorm';
import { ConfigurationsService } from './configurations.service';

/** The bot's currency is fixed once an amount is written in it (orders, user balances, the wallet). */
describe('currency lock (PostgreSQL)', () => {
  let ctx: TestContext;
  let configurations: ConfigurationsService;
  let platform: DataSource;

  beforeAll(async () => {
    ctx = await TestContext.create();
    configurations = ctx.get(ConfigurationsService);
    platform = await ctx.env.db.platform();
  });

  afterAll(async () => {
    await ctx?.close();
  });

  const currencyOf = async (botId: string): Promise<string> =>
    (await platform.query(`SELECT currency FROM bots WHERE id = $1`, [botId]))[0].currency;

  const refused = async (work: Promise<unknown>): Promise<void> => {
    await expect(work).rejects.toMatchObject({ code: ErrorCode.CURRENCY_LOCKED });
  };

  it('a bot with nothing written in its currency may change it', async () => {
    const bot = await ctx.newBot();
    await ctx.newUser(bot.id);
    await ctx.newPlan(bot.id);
    await configurations.set(bot.id, 'currency', 'USD');
    expect(await currencyOf(bot.id)).toBe('USD');
    await configurations.reset(bot.id, 'currency');
    expect(await currencyOf(bot.id)).toBe('IRR');
  });

  it('an order fixes it (configuration set and reset, and the bot settings)', async () => {
    const bot = await ctx.newBot({ currency: 'USD' });
    await ctx.newOrder(bot.id); // no wholesale price: the order holds nothing, the wallet stays empty
    await refused(configurations.set(bot.id, 'currency', 'EUR'));
    await refused(configurations.reset(bot.id, 'currency'));
    await refused(ctx.get(BotSettingsService).update(bot.id, { currency: 'EUR' }, Actors.tenantApi(bot.id)));
    expect(await currencyOf(bot.id)).toBe('USD');
    // The same currency again is no change.
    await configurations.set(bot.id, 'currency', 'USD');
  });

  it("a user's balance fixes it", async () => {
    const bot = await ctx.newBot();
    const user = await ctx.newUser(bot.id);
    await ctx.deposit(bot.id, user.id, 5_000);
    await refused(configurations.set(bot.id, 'currency', 'USD'));
    expect(await currencyOf(bot.id)).toBe('IRR');
  });

  it('the wholesale wallet fixes it', async () => {
    const bot = await ctx.newBot({ walletMinor: 10_000 });
    await refused(configurations.set(bot.id, 'currency', 'USD'));
    expect(await currencyOf(bot.id)).toBe('IRR');
  });

  it('an order racing a currency change is in the currency the bot ends with', async () => {
    const createOrder = ctx.get(CreateOrderUseCase);
    for (let round = 0; round < 8; round++) {
      const bot = await ctx.newBot();
      const user = await ctx.newUser(bot.id);
      const plan = await ctx.newPlan(bot.id);
      const [order, change] = await Promise.allSettled([
        createOrder.execute({
          botId: bot.id,
          userId: user.id,
          planId: plan.id,
          idempotencyKey: `race:${randomBytes(6).toString('hex')}`,
        }),
        configurations.set(bot.id, 'currency', 'USD'),
      ]);
      expect(order.status).toBe('fulfilled');
      if (change.status === 'rejected') expect(DomainError.is(change.reason, ErrorCode.CURRENCY_LOCKED)).toBe(true);
      const final = await currencyOf(bot.id);
      const rows: { currency: string }[] = await platform.query(`SELECT currency FROM orders WHERE bot_id = $1`, [
        bot.id,
      ]);
      expect(rows.map((r) => r.currency)).toEqual([final]);
    }
  });
});
