import { DataSource } from 'typeorm';
import { RemnawaveEmulator } from '../panels';
import { TestContext } from './test-context';

/** The factories write through the production services: these rows are what onboarding and the sale write. */
describe('TestContext (real PostgreSQL and Redis, Telegram emulator)', () => {
  let ctx: TestContext;
  let platform: DataSource;
  let rw: RemnawaveEmulator;

  beforeAll(async () => {
    ctx = await TestContext.create();
    platform = await ctx.env.db.platform();
    rw = new RemnawaveEmulator({ apiKey: 'ctx-key' });
    await rw.start();
  });

  afterAll(async () => {
    await rw?.stop();
    await ctx?.close();
  });

  it('newBot onboards an emulator bot: encrypted token, API token hash, the owner as first admin', async () => {
    const bot = await ctx.newBot({ name: 'Ctx shop', walletMinor: 5000 });
    const [row] = await platform.query(
      `SELECT name, status, telegram_bot_id, api_token_hash, wallet_balance_minor::int AS w FROM bots WHERE id = $1`,
      [bot.id],
    );
    expect(row).toMatchObject({
      name: 'Ctx shop',
      status: 'active',
      telegram_bot_id: String(bot.telegram.id),
      w: 5000,
    });
    expect(bot.apiToken).toMatch(/^bft_/);
    expect(row.api_token_hash).not.toContain(bot.apiToken);
    const admins = await platform.query(`SELECT telegram_id, is_owner FROM bot_admins WHERE bot_id = $1`, [bot.id]);
    expect(admins).toEqual([{ telegram_id: String(bot.ownerTelegramId), is_owner: true }]);
    expect((await ctx.newBot({ status: 'paused' })).view.status).toBe('paused');
    expect((await ctx.newBot({ status: 'suspended' })).view.status).toBe('suspended');
  });

  it('newPaidOrder leaves a fulfilling order with a pending subscription, by wallet and by approved card', async () => {
    const bot = await ctx.newBot();
    const panel = await ctx.newPanel({ type: 'remnawave', baseUrl: rw.url, credentials: { apiKey: 'ctx-key' } });
    for (const via of ['wallet', 'card'] as const) {
      const p = await ctx.newPaidOrder(bot.id, { via, plan: { panelId: panel.id, trafficLimitGb: 20 } });
      expect(p.order).toMatchObject({
        status: 'fulfilling',
        kind: 'new',
        paymentMethod: via === 'card' ? 'card_to_card' : 'wallet',
      });
      const [sub] = await platform.query(`SELECT status, panel_id, user_id FROM subscriptions WHERE id = $1`, [
        p.subscriptionId,
      ]);
      expect(sub).toEqual({ status: 'pending', panel_id: panel.id, user_id: p.userId });
    }
  });

  it('newUser, newPlan and newCard go through the users, plans and cards services', async () => {
    const bot = await ctx.newBot();
    const user = await ctx.newUser(bot.id, { telegramId: 42, language: 'fa' });
    expect(user).toMatchObject({ telegramId: 42, language: 'fa', created: true });
    const plan = await ctx.newPlan(bot.id, { priceMinor: 700 });
    expect(plan.priceMinor).toBe(700);
    const card = await ctx.newCard(bot.id);
    expect(card.isActive).toBe(true);
    const audit = await platform.query(`SELECT action FROM audit_logs WHERE bot_id = $1 ORDER BY created_at`, [bot.id]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['bot.created', 'plan.create', 'payment_card.create']),
    );
  });
});
