import { DataSource } from 'typeorm';
import { ErrorCode } from '@botfleet/common';
import { panelUsername, ProvisioningService } from '@botfleet/provisioning';
import { CreateOrderUseCase, SalesQueries } from '@botfleet/sales';
import { createModuleApp, RemnawaveEmulator, TestContext, WorkerWorld } from '@botfleet/testing';
import { ProvisioningWorkerModule } from './provisioning-worker.module';

const GiB = 1024 ** 3;

/**
 * A renewal gives what the chosen plan sells, never more: its days, its traffic and its device limit, on the
 * subscription's own panel; a plan that would place the account elsewhere cannot renew it (it is bought as a
 * new subscription). Real PostgreSQL and Redis, the Remnawave emulator over HTTP; the provisioning service is
 * called by hand (no queue consumer runs here).
 */
describe('renewal applies the chosen plan (panel emulator)', () => {
  let world: WorkerWorld;
  let ctx: TestContext;
  let platform: DataSource;
  let service: ProvisioningService;
  let rw: RemnawaveEmulator;
  let panelA: string;
  let panelB: string;
  let botId: string;

  const sub = (id: string) => world.subscription(id);
  const orders = async () =>
    (await platform.query(`SELECT count(*)::int AS n FROM orders WHERE bot_id = $1`, [botId]))[0].n as number;

  /** A premium subscription, active on panel A. */
  const premium = async () => {
    const paid = await ctx.newPaidOrder(botId, {
      plan: { panelId: panelA, priceMinor: 90_000, trafficLimitGb: 200, deviceLimit: 5 },
    });
    await service.provision(botId, paid.subscriptionId, paid.orderId);
    expect(rw.account(panelUsername(paid.subscriptionId, 'remnawave'))!.deviceLimit).toBe(5);
    return paid;
  };

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: { TRAFFIC_SYNC_INTERVAL_MS: '0' },
      telegram: false,
      panels: ['remnawave', 'remnawave'],
      jobs: 'detached',
    });
    ({ ctx, platform, rw } = world);
    panelA = (await world.newRemnawavePanel({ location: 'de' }, 0)).id;
    panelB = (await world.newRemnawavePanel({ location: 'nl' }, 1)).id;
    botId = (await ctx.newBot()).id;
    service = (await world.startWorker(() => createModuleApp({ imports: [ProvisioningWorkerModule] }))).get(
      ProvisioningService,
    );
  });

  afterAll(() => world?.close());

  it("renewing a premium subscription with a cheaper plan gives the cheaper plan's device limit and traffic", async () => {
    const p = await premium();
    const cheap = await ctx.newPlan(botId, { panelId: panelA, priceMinor: 10_000, trafficLimitGb: 10, deviceLimit: 1 });
    const renewal = await ctx.newPaidOrder(botId, {
      userId: p.userId,
      planId: cheap.id,
      renewSubscriptionId: p.subscriptionId,
    });
    await service.extend(botId, p.subscriptionId, renewal.orderId);

    const account = rw.account(panelUsername(p.subscriptionId, 'remnawave'))!;
    expect(account.deviceLimit).toBe(1);
    expect(account.trafficLimitBytes).toBe(account.usedTrafficBytes + 10 * GiB);
    expect(await sub(p.subscriptionId)).toMatchObject({ plan_id: cheap.id, panel_id: panelA, device_limit: 1 });
  });

  it('a plan that would place the account on another panel or location cannot renew it; one for any panel can', async () => {
    const p = await premium();
    const elsewhere = [
      await ctx.newPlan(botId, { panelId: panelB, priceMinor: 10_000 }),
      await ctx.newPlan(botId, { location: 'nl', priceMinor: 10_000 }),
    ];
    const before = await orders();
    for (const plan of elsewhere) {
      await expect(
        ctx.get(CreateOrderUseCase).execute({
          botId,
          userId: p.userId,
          planId: plan.id,
          idempotencyKey: `renew-elsewhere:${plan.id}`,
          renewSubscriptionId: p.subscriptionId,
        }),
      ).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
    }
    expect(await orders()).toBe(before);
    // The bot offers the subscription for renewal only with a plan that can renew it; others are bought new.
    const queries = ctx.get(SalesQueries);
    const sameWay = await ctx.newPlan(botId, { panelId: panelA, priceMinor: 10_000 });
    for (const plan of elsewhere) {
      const entity = (await queries.availablePlan(botId, plan.id))!;
      expect(await queries.subscriptionsRenewableWith(botId, p.userId, entity)).toEqual([]);
    }
    const offered = await queries.subscriptionsRenewableWith(
      botId,
      p.userId,
      (await queries.availablePlan(botId, sameWay.id))!,
    );
    expect(offered.map((s) => s.id)).toEqual([p.subscriptionId]);

    const anywhere = await ctx.newPlan(botId, { priceMinor: 10_000, deviceLimit: 3 });
    const renewal = await ctx.newPaidOrder(botId, {
      userId: p.userId,
      planId: anywhere.id,
      renewSubscriptionId: p.subscriptionId,
    });
    await service.extend(botId, p.subscriptionId, renewal.orderId);
    expect(rw.account(panelUsername(p.subscriptionId, 'remnawave'))!.deviceLimit).toBe(3);
    expect(await sub(p.subscriptionId)).toMatchObject({ plan_id: anywhere.id, panel_id: panelA, device_limit: 3 });
  });
});
