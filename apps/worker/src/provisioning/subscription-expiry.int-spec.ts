import { panelUsername } from '@botfleet/provisioning';
import { RemnawaveEmulator, TestContext, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

const DAY = 86_400_000;

/**
 * Subscriptions end (RELIABILITY.md 4): the worker's periodic expiry job marks a subscription past its end
 * `expired` and switches its account off on the panel when the panel has not (here the panel's own expiry is
 * later than ours); a renewal brings it back. The real worker (job schedulers, provisioning queue, outbox)
 * against PostgreSQL, Redis, the Remnawave emulator and the Telegram emulator.
 */
describe('subscription expiry (worker, PostgreSQL, Redis, panel emulator)', () => {
  jest.setTimeout(90_000);

  let world: WorkerWorld;
  let ctx: TestContext;
  let rw: RemnawaveEmulator;

  const sub = (id: string) => world.subscription(id);
  const activeCount = async (botId: string) =>
    Number(
      (
        await world.platform.query(
          `SELECT count(*)::int AS n FROM subscriptions WHERE bot_id = $1 AND status = 'active'`,
          [botId],
        )
      )[0].n,
    );

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: { SUBSCRIPTION_EXPIRY_INTERVAL_MS: '300', TRAFFIC_SYNC_INTERVAL_MS: '0', SALE_SWEEP_INTERVAL_MS: '60000' },
      panels: ['remnawave'],
      createWorker: createWorkerApp,
    });
    ({ ctx, rw } = world);
  });

  afterAll(() => world?.close());

  it('an active subscription past its end becomes expired, its panel user is disabled, and a renewal revives it', async () => {
    const panel = await world.newRemnawavePanel();
    const bot = await ctx.newBot({ walletMinor: 1_000_000 });
    const ending = await ctx.newPaidOrder(bot.id, { plan: { panelId: panel.id, periodDays: 30 } });
    const running = await ctx.newPaidOrder(bot.id, { plan: { panelId: panel.id, periodDays: 30 } });
    await waitFor(async () => (await sub(ending.subscriptionId)).status === 'active', 20_000);
    await waitFor(async () => (await sub(running.subscriptionId)).status === 'active', 20_000);
    const username = panelUsername(ending.subscriptionId, 'remnawave');
    expect(rw.account(username)?.enabled).toBe(true);
    expect(await activeCount(bot.id)).toBe(2);

    // An end in the past is time the product cannot make; the panel keeps its own (later) expiry.
    await world.platform.query(`UPDATE subscriptions SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
      ending.subscriptionId,
    ]);

    await waitFor(async () => (await sub(ending.subscriptionId)).status === 'expired', 15_000);
    await waitFor(async () => rw.account(username)?.enabled === false, 15_000);
    expect((await sub(running.subscriptionId)).status).toBe('active');
    expect(rw.account(panelUsername(running.subscriptionId, 'remnawave'))?.enabled).toBe(true);
    // Stats count what is active now.
    expect(await activeCount(bot.id)).toBe(1);

    // A renewal of the expired subscription starts from now and switches the account on again.
    await ctx.newPaidOrder(bot.id, {
      userId: ending.userId,
      renewSubscriptionId: ending.subscriptionId,
      plan: { panelId: panel.id, periodDays: 10 },
    });
    await waitFor(async () => (await sub(ending.subscriptionId)).status === 'active', 20_000);
    await waitFor(async () => rw.account(username)?.enabled === true, 15_000);
    const renewed = await sub(ending.subscriptionId);
    expect(renewed.expires_at!.getTime()).toBeGreaterThan(Date.now() + 9 * DAY);
    expect(renewed.expires_at!.getTime()).toBeLessThan(Date.now() + 11 * DAY);
  });
});
