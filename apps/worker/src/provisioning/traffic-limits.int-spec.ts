import { DataSource } from 'typeorm';
import { Actors, MAX_COUNTER } from '@botfleet/common';
import { BotSettingsService } from '@botfleet/bots';
import { TenantRepositories } from '@botfleet/dal';
import { BotAdminService } from '@botfleet/operator';
import { panelUsername, ProvisioningService, TrafficSyncService } from '@botfleet/provisioning';
import { createModuleApp, RemnawaveEmulator, TestContext, WorkerWorld } from '@botfleet/testing';
import { ProvisioningWorkerModule } from './provisioning-worker.module';

const MAX_PLAN_GB = 1_000_000;

/**
 * Traffic a panel reports at absurd values (past 2^53, past bigint, negative) is stored within the counter's
 * range: the sync stores every reading, the bot's total and a renewal's new limit saturate at 2^53 − 1, and
 * the operator's and the tenant's reads of that bot and its subscriptions still work.
 */
describe('traffic counters at their maximum (worker wiring, Remnawave emulator)', () => {
  let world: WorkerWorld;
  let ctx: TestContext;
  let platform: DataSource;
  let service: ProvisioningService;
  let traffic: TrafficSyncService;
  let rw: RemnawaveEmulator;
  let panelId: string;

  const sub = async (id: string) => {
    const row = await world.subscription(id);
    return { lim: row.traffic_limit, used: row.traffic_used };
  };
  const consumed = async (botId: string) =>
    (await platform.query(`SELECT traffic_consumed_bytes::text AS t FROM bots WHERE id = $1`, [botId]))[0].t as string;

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: { TRAFFIC_SYNC_INTERVAL_MS: '0' },
      telegram: false,
      panels: ['remnawave'],
      // Jobs the sale queues go where no consumer reads: the test runs provisioning and the sync by hand.
      jobs: 'detached',
    });
    ({ ctx, platform, rw } = world);
    panelId = (await world.newRemnawavePanel()).id;
    const app = await world.startWorker(() => createModuleApp({ imports: [ProvisioningWorkerModule] }));
    service = app.get(ProvisioningService);
    traffic = app.get(TrafficSyncService);
  });

  afterAll(() => world?.close());

  it('huge, out-of-bigint and negative usage is stored in range; totals and renewals saturate; reads still work', async () => {
    const bot = await ctx.newBot({ walletMinor: 1000 });
    const plan = await ctx.newPlan(bot.id, { trafficLimitGb: MAX_PLAN_GB, panelId });
    const bought = [];
    for (let i = 0; i < 3; i++) bought.push(await ctx.newPaidOrder(bot.id, { planId: plan.id }));
    for (const p of bought) await service.provision(bot.id, p.subscriptionId, p.orderId);
    const [huge, beyond, negative] = bought.map((p) => panelUsername(p.subscriptionId, 'remnawave'));
    rw.setUsedTraffic(huge, 2 ** 60);
    rw.setUsedTraffic(beyond, 1e21);
    rw.setUsedTraffic(negative, -5);

    const reports = await traffic.syncAll({ concurrency: 3, pauseMs: 0 });
    expect(reports.find((r) => r.panelId === panelId)).toMatchObject({ updated: 3, failed: 0, gaveUp: false });
    expect((await sub(bought[0].subscriptionId)).used).toBe(String(MAX_COUNTER));
    expect((await sub(bought[1].subscriptionId)).used).toBe(String(MAX_COUNTER));
    expect((await sub(bought[2].subscriptionId)).used).toBe('0');
    expect(await consumed(bot.id)).toBe(String(MAX_COUNTER));

    // A renewal tops the limit up on what was used: past the range it is the top of the range.
    const renewal = await ctx.newPaidOrder(bot.id, {
      userId: bought[0].userId,
      renewSubscriptionId: bought[0].subscriptionId,
      planId: plan.id,
    });
    await service.extend(bot.id, bought[0].subscriptionId, renewal.orderId);
    expect((await sub(bought[0].subscriptionId)).lim).toBe(String(MAX_COUNTER));

    // What the API answers with reads these rows: the operator's list, suspend and resume, a top-up, the
    // tenant's bot and its subscriptions.
    const admin = ctx.get(BotAdminService);
    const list = await admin.list({ page: 1, pageSize: 100 });
    expect(list.items.map((b) => b.id)).toContain(bot.id);
    await admin.suspend(bot.id, Actors.master());
    await admin.resume(bot.id, Actors.master());
    await ctx.topUp(bot.id, 1000);
    expect((await ctx.get(BotSettingsService).get(bot.id)).id).toBe(bot.id);
    const row = await ctx.get(TenantRepositories).subscriptions.findById(bot.id, bought[0].subscriptionId);
    expect(row?.trafficUsedBytes).toBe(MAX_COUNTER);
  });
});
