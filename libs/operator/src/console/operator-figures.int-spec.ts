import { TestContext } from '@botfleet/testing';
import { MasterBotRegistry } from '../onboarding/master-bot-registry';
import { OperatorConsoleService } from './operator-console.service';

/**
 * The operator's figures count the tenants' customers only: the people who talk to the master bot (the operator's
 * admins, tenants' owners onboarding) are users of the platform's own bot, not anyone's customers.
 */
describe("operator figures leave out the master bot's users (platform path, real PostgreSQL)", () => {
  let ctx: TestContext;
  let figures: OperatorConsoleService;

  beforeAll(async () => {
    ctx = await TestContext.create();
    figures = ctx.get(OperatorConsoleService);
  });
  afterAll(() => ctx?.close());

  it('totals and period figures count a tenant bot user, not the master bot users', async () => {
    const masterId = await ctx.get(MasterBotRegistry).register({
      token: '900002:master-figures-token',
      telegramBotId: 900_002,
      username: 'figures_master_bot',
      firstName: 'Master',
      adminTelegramIds: [41_001],
    });
    const bot = await ctx.newBot();
    const totalsBefore = await figures.platformTotals();
    const todayBefore = await figures.periodStats('today');

    // Two people write to the master bot (its update pipeline records them like any bot's users), one to a shop.
    await ctx.newUser(masterId, { telegramId: 41_001 });
    await ctx.newUser(masterId, { telegramId: 41_002 });
    await ctx.newUser(bot.id);

    const totalsAfter = await figures.platformTotals();
    const todayAfter = await figures.periodStats('today');
    expect(totalsAfter.users.total - totalsBefore.users.total).toBe(1);
    expect(todayAfter.newUsers - todayBefore.newUsers).toBe(1);
  });
});

/** The platform's own bot is no shop: the bot totals (and the wallets beside them) are the tenants' only. */
describe('operator figures leave out the master bot itself (platform path, real PostgreSQL)', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx?.close());

  it('counts one active shop beside the master bot as one bot', async () => {
    await ctx.get(MasterBotRegistry).register({
      token: '900003:master-bots-token',
      telegramBotId: 900_003,
      username: 'bots_master_bot',
      firstName: 'Master',
      adminTelegramIds: [42_001],
    });
    await ctx.newBot({ currency: 'USD' });

    const totals = await ctx.get(OperatorConsoleService).platformTotals();
    expect(totals.bots).toEqual({ total: 1, byStatus: { active: 1 } });
    // The master bot holds no wholesale wallet: no row of its currency (IRR) among the tenants' wallets.
    expect(totals.wallets.map((w) => w.currency)).toEqual(['USD']);
  });
});
