import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Actors, MAX_COUNTER, RedisModule } from '@botfleet/common';
import { BotSettingsService } from '@botfleet/bots';
import { ConfigModule } from '@botfleet/config';
import { DalModule, TenantRepositories } from '@botfleet/dal';
import { JobsModule } from '@botfleet/jobs';
import { BotAdminService } from '@botfleet/operator';
import { PlatformDbModule } from '@botfleet/platform';
import { panelUsername, ProvisioningService, TrafficSyncService } from '@botfleet/provisioning';
import { SecretsModule } from '@botfleet/secrets';
import {
  applyEnv,
  createTestEnv,
  REMNAWAVE_DEFAULT_SQUAD_UUID,
  RemnawaveEmulator,
  TestContext,
  TestEnv,
} from '@botfleet/testing';
import { ProvisioningWorkerModule } from './provisioning-worker.module';

const RW_KEY = 'rw-limits-key-51c0';
const MAX_PLAN_GB = 1_000_000;

/**
 * Traffic a panel reports at absurd values (past 2^53, past bigint, negative) is stored within the counter's
 * range: the sync stores every reading, the bot's total and a renewal's new limit saturate at 2^53 − 1, and
 * the operator's and the tenant's reads of that bot and its subscriptions still work.
 */
describe('traffic counters at their maximum (worker wiring, Remnawave emulator)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let restoreEnv: () => void;
  let app: INestApplication;
  let platform: DataSource;
  let service: ProvisioningService;
  let traffic: TrafficSyncService;
  let rw: RemnawaveEmulator;
  let panelId: string;

  const sub = async (id: string) =>
    (
      await platform.query(
        `SELECT traffic_limit_bytes::text AS lim, traffic_used_bytes::text AS used FROM subscriptions WHERE id = $1`,
        [id],
      )
    )[0] as { lim: string; used: string };
  const consumed = async (botId: string) =>
    (await platform.query(`SELECT traffic_consumed_bytes::text AS t FROM bots WHERE id = $1`, [botId]))[0].t as string;

  beforeAll(async () => {
    env = await createTestEnv({ TRAFFIC_SYNC_INTERVAL_MS: '0' });
    restoreEnv = applyEnv(env.vars);
    rw = new RemnawaveEmulator({ apiKey: RW_KEY });
    await rw.start();
    platform = await env.db.platform();
    ctx = await TestContext.create({ env, jobs: 'detached' });
    panelId = (
      await ctx.newPanel({
        type: 'remnawave',
        baseUrl: rw.url,
        credentials: { apiKey: RW_KEY },
        settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
      })
    ).id;
    const mod = await Test.createTestingModule({
      imports: [
        ConfigModule,
        SecretsModule,
        DalModule,
        PlatformDbModule,
        RedisModule,
        JobsModule,
        ProvisioningWorkerModule,
      ],
    }).compile();
    app = mod.createNestApplication({ logger: false });
    await app.init();
    service = app.get(ProvisioningService);
    traffic = app.get(TrafficSyncService);
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    await rw?.stop();
    restoreEnv?.();
    await env?.cleanup();
  });

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
