import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ErrorCode } from '@botfleet/common';
import { QueueName } from '@botfleet/jobs';
import { panelUsername, ProvisioningService, TrafficSyncService } from '@botfleet/provisioning';
import { createModuleApp, MarzbanEmulator, RemnawaveEmulator, TestContext, WorkerWorld } from '@botfleet/testing';
import { deliveryJobId } from './provisioning-outcomes';
import { ProvisioningWorkerModule } from './provisioning-worker.module';

const DAY = 86_400_000;
const GiB = 1024 ** 3;

/**
 * Provisioning with its real wiring (worker module: platform directory, sale outcomes, queues) against real
 * PostgreSQL, Redis and the panel emulators over HTTP. No queue consumer runs here (that is the worker's job
 * runner): these tests call the services directly; the job-level behaviour is in
 * test/e2e/provisioning-jobs.e2e-spec.ts.
 */
describe('provisioning service (worker wiring, real PostgreSQL/Redis, panel emulators)', () => {
  let world: WorkerWorld;
  let ctx: TestContext;
  let platform: DataSource;
  let service: ProvisioningService;
  let traffic: TrafficSyncService;
  let notifications: Queue;
  let rw: RemnawaveEmulator;
  let mz: MarzbanEmulator;
  let rwPanel: string;
  let mzPanel: string;
  let botId: string;

  const sub = (id: string) => world.subscription(id);
  const events = async (subscriptionId: string, type?: string) =>
    (await platform.query(
      `SELECT type, data, dedupe_key FROM subscription_events WHERE subscription_id = $1 AND ($2::text IS NULL OR type = $2)`,
      [subscriptionId, type ?? null],
    )) as { type: string; data: Record<string, unknown>; dedupe_key: string | null }[];
  const order = async (id: string) => ({ status: await world.orderStatus(id) });
  const activeUsers = async (panelId: string) =>
    Number((await platform.query(`SELECT active_users FROM vpn_panels WHERE id = $1`, [panelId]))[0].active_users);
  const setExpiry = (subscriptionId: string, at: Date) =>
    platform.query(`UPDATE subscriptions SET expires_at = $2 WHERE id = $1`, [subscriptionId, at]);

  /** A purchase paid from the wallet, as the sale leaves it for provisioning (order fulfilling, subscription pending). */
  const purchase = (
    bot: string,
    o: {
      planPanelId?: string;
      location?: string;
      periodDays?: number;
      trafficGb?: number;
      deviceLimit?: number;
      amountMinor?: number;
    } = {},
  ) =>
    ctx.newPaidOrder(bot, {
      plan: {
        panelId: o.planPanelId ?? null,
        location: o.location ?? null,
        periodDays: o.periodDays ?? 30,
        trafficLimitGb: o.trafficGb ?? 50,
        deviceLimit: o.deviceLimit ?? 2,
        priceMinor: o.amountMinor ?? 1000,
      },
    });
  /** A paid renewal of the purchase's subscription; returns the order id. */
  const renew = async (
    bot: string,
    p: { userId: string; subscriptionId: string },
    o: { periodDays?: number; trafficGb?: number } = {},
  ) =>
    (
      await ctx.newPaidOrder(bot, {
        userId: p.userId,
        renewSubscriptionId: p.subscriptionId,
        plan: { periodDays: o.periodDays ?? 30, trafficLimitGb: o.trafficGb ?? 50 },
      })
    ).orderId;

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: { TRAFFIC_SYNC_INTERVAL_MS: '0', PROVISIONING_ATTEMPTS: '2', PROVISIONING_BACKOFF_MS: '50' },
      telegram: false,
      panels: ['remnawave', 'marzban'],
      // Jobs the sale queues go where no consumer reads: these tests run the provisioning service by hand.
      jobs: 'detached',
    });
    ({ ctx, platform, rw, mz } = world);
    rwPanel = (await world.newRemnawavePanel({ location: 'de' })).id;
    mzPanel = (await world.newMarzbanPanel({ location: 'nl' })).id;
    botId = (await ctx.newBot()).id;
    const app = await world.startWorker(() => createModuleApp({ imports: [ProvisioningWorkerModule] }));
    service = app.get(ProvisioningService);
    traffic = app.get(TrafficSyncService);
    notifications = app.get<Queue>(getQueueToken(QueueName.Notifications));
  });

  afterAll(() => world?.close());

  it('provisions one account to the order, stores link and dates, fulfils the order and queues the delivery', async () => {
    const p = await purchase(botId, {
      planPanelId: rwPanel,
      periodDays: 30,
      trafficGb: 20,
      deviceLimit: 3,
    });
    const before = Date.now();
    const result = await service.provision(botId, p.subscriptionId, p.orderId);
    expect(result.applied).toBe(true);

    const username = panelUsername(p.subscriptionId, 'remnawave');
    const account = rw.account(username)!;
    expect(account).toBeDefined();
    expect(account.trafficLimitBytes).toBe(20 * GiB);
    expect(account.deviceLimit).toBe(3);
    expect(account.telegramId).toBe(p.telegramId);
    expect(account.enabled).toBe(true);

    const row = await sub(p.subscriptionId);
    expect(row.status).toBe('active');
    expect(row.panel_id).toBe(rwPanel);
    expect(row.panel_username).toBe(username);
    expect(row.subscription_url).toBe(account.subscriptionUrl);
    expect(row.expires_at!.getTime()).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(row.expires_at!.getTime()).toBeLessThanOrEqual(Date.now() + 30 * DAY);
    expect(Math.abs(account.expireAt!.getTime() - row.expires_at!.getTime())).toBeLessThan(1000);
    expect(Number(row.traffic_limit)).toBe(20 * GiB);
    expect(await events(p.subscriptionId, 'provisioned')).toHaveLength(1);
    expect((await order(p.orderId)).status).toBe('fulfilled');
    const delivery = await notifications.getJob(deliveryJobId(botId, p.subscriptionId, p.orderId));
    expect(delivery?.data).toEqual({ botId, subscriptionId: p.subscriptionId, orderId: p.orderId });
  });

  it('a second run for the same order changes nothing and makes no second account', async () => {
    const p = await purchase(botId, { planPanelId: rwPanel });
    await service.provision(botId, p.subscriptionId, p.orderId);
    const first = await sub(p.subscriptionId);
    const count = rw.accountCount();
    const again = await service.provision(botId, p.subscriptionId, p.orderId);
    expect(again.applied).toBe(false);
    expect(rw.accountCount()).toBe(count);
    expect((await sub(p.subscriptionId)).expires_at).toEqual(first.expires_at);
    expect(await events(p.subscriptionId, 'provisioned')).toHaveLength(1);
  });

  it('50 concurrent runs for one subscription make one account, one record and take one panel slot', async () => {
    const p = await purchase(botId, { location: 'de' });
    const load = await activeUsers(rwPanel);
    const createsBefore = rw.calls('POST /api/users');
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => service.provision(botId, p.subscriptionId, p.orderId)),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(results.filter((r) => r.status === 'fulfilled' && r.value.applied)).toHaveLength(1);
    expect(rw.accounts().filter((a) => a.username === panelUsername(p.subscriptionId, 'remnawave'))).toHaveLength(1);
    expect(rw.calls('POST /api/users') - createsBefore).toBe(1);
    expect(await events(p.subscriptionId, 'provisioned')).toHaveLength(1);
    expect(await activeUsers(rwPanel)).toBe(load + 1);
  });

  it('adopts the account a crashed attempt left on the panel (lost answer, or made before the crash)', async () => {
    const lost = await purchase(botId, { planPanelId: rwPanel });
    rw.dropNextCreateResponse();
    await expect(service.provision(botId, lost.subscriptionId, lost.orderId)).rejects.toMatchObject({
      code: ErrorCode.PANEL_UNAVAILABLE,
    });
    expect(rw.account(panelUsername(lost.subscriptionId, 'remnawave'))).toBeDefined();
    expect((await sub(lost.subscriptionId)).status).toBe('pending');
    const count = rw.accountCount();
    await service.provision(botId, lost.subscriptionId, lost.orderId);
    expect(rw.accountCount()).toBe(count);
    expect((await sub(lost.subscriptionId)).status).toBe('active');

    const seeded = await purchase(botId, { planPanelId: rwPanel, periodDays: 10 });
    const username = panelUsername(seeded.subscriptionId, 'remnawave');
    rw.seedAccount({ username, expireAt: new Date(Date.now() + DAY), trafficLimitBytes: 1, enabled: false });
    const seededCount = rw.accountCount();
    await service.provision(botId, seeded.subscriptionId, seeded.orderId);
    expect(rw.accountCount()).toBe(seededCount);
    const account = rw.account(username)!;
    expect(account.enabled).toBe(true);
    expect(account.expireAt!.getTime()).toBeGreaterThan(Date.now() + 9 * DAY);
  });

  it('places a plan without a panel on the least loaded active panel of its location, and nowhere else', async () => {
    const p = await purchase(botId, { location: 'nl', trafficGb: 0 });
    await service.provision(botId, p.subscriptionId, p.orderId);
    const row = await sub(p.subscriptionId);
    expect(row.panel_id).toBe(mzPanel);
    const account = mz.account(panelUsername(p.subscriptionId, 'marzban'))!;
    expect(account.trafficLimitBytes).toBe(0);
    expect(row.subscription_url).toBe(account.subscriptionUrl);

    const nowhere = await purchase(botId, { location: 'jp' });
    await expect(service.provision(botId, nowhere.subscriptionId, nowhere.orderId)).rejects.toMatchObject({
      code: ErrorCode.NO_PANEL_AVAILABLE,
    });
    expect((await sub(nowhere.subscriptionId)).panel_id).toBeNull();
  });

  it('refuses an order that is not paid, for good', async () => {
    const p = await purchase(botId, { planPanelId: rwPanel });
    // A state the sale never leaves (an unpaid order on a pending subscription): the guard under test.
    await platform.query(`UPDATE orders SET status = 'pending', paid_at = NULL WHERE id = $1`, [p.orderId]);
    const count = rw.accountCount();
    await expect(service.provision(botId, p.subscriptionId, p.orderId)).rejects.toMatchObject({
      code: ErrorCode.CONFLICT,
    });
    expect(rw.accountCount()).toBe(count);
  });

  describe('extend', () => {
    it('adds the days to the current expiry of an active subscription, on the same account', async () => {
      const p = await purchase(botId, { planPanelId: rwPanel });
      await service.provision(botId, p.subscriptionId, p.orderId);
      const expiry = new Date(Date.now() + 10 * DAY);
      await setExpiry(p.subscriptionId, expiry);
      const count = rw.accountCount();
      const renewal = await renew(botId, p, { periodDays: 30 });
      await service.extend(botId, p.subscriptionId, renewal);
      const row = await sub(p.subscriptionId);
      expect(row.expires_at!.getTime()).toBe(expiry.getTime() + 30 * DAY);
      expect(rw.account(panelUsername(p.subscriptionId, 'remnawave'))!.expireAt!.getTime()).toBe(
        expiry.getTime() + 30 * DAY,
      );
      expect(rw.accountCount()).toBe(count);
      expect((await order(renewal)).status).toBe('fulfilled');
    });

    it('adds the days to now for an expired and disabled subscription, and enables the account again', async () => {
      const p = await purchase(botId, { planPanelId: rwPanel });
      await service.provision(botId, p.subscriptionId, p.orderId);
      await setExpiry(p.subscriptionId, new Date(Date.now() - 5 * DAY));
      await service.disable(botId, p.subscriptionId, 'expired');
      const username = panelUsername(p.subscriptionId, 'remnawave');
      expect(rw.account(username)!.enabled).toBe(false);
      expect((await sub(p.subscriptionId)).status).toBe('disabled');
      rw.setUsedTraffic(username, 7 * GiB);

      const renewal = await renew(botId, p, { periodDays: 30, trafficGb: 10 });
      const before = Date.now();
      await service.extend(botId, p.subscriptionId, renewal);
      const row = await sub(p.subscriptionId);
      expect(row.status).toBe('active');
      expect(row.expires_at!.getTime()).toBeGreaterThanOrEqual(before + 30 * DAY);
      expect(row.expires_at!.getTime()).toBeLessThanOrEqual(Date.now() + 30 * DAY);
      const account = rw.account(username)!;
      expect(account.enabled).toBe(true);
      // A fresh 10 GB package on top of the 7 GB already used.
      expect(account.trafficLimitBytes).toBe(17 * GiB);
      expect(Number(row.traffic_limit)).toBe(17 * GiB);
    });

    it('giving up a renewal while its extension is at the panel reports success: an applied renewal is never refunded', async () => {
      const p = await purchase(botId, { planPanelId: rwPanel });
      await service.provision(botId, p.subscriptionId, p.orderId);
      const renewal = await renew(botId, p, { periodDays: 30 });
      rw.slow(1_000);
      try {
        const extending = service.extend(botId, p.subscriptionId, renewal);
        // The extension holds the subscription while the panel answers; the final failure arrives meanwhile.
        await new Promise((r) => setTimeout(r, 300));
        const giving = service.fail(botId, 'extend', p.subscriptionId, renewal, 'attempts used up');
        const [extended, given] = await Promise.all([extending, giving]);
        expect(extended.applied).toBe(true);
        expect(given).toBe('succeeded');
      } finally {
        rw.slow(0);
      }
      expect((await order(renewal)).status).toBe('fulfilled');
      expect(await events(p.subscriptionId, 'extend_failed')).toEqual([]);
      const refunds = await platform.query(
        `SELECT count(*)::int n FROM transactions WHERE order_id = $1 AND type = 'refund'`,
        [renewal],
      );
      expect(refunds).toEqual([{ n: 0 }]);
      // And a renewal given up first is never applied afterwards.
      const late = await renew(botId, p, { periodDays: 30 });
      const before = (await sub(p.subscriptionId)).expires_at;
      expect(await service.fail(botId, 'extend', p.subscriptionId, late, 'attempts used up')).toBe('failed');
      await expect(service.extend(botId, p.subscriptionId, late)).rejects.toBeDefined();
      expect((await sub(p.subscriptionId)).expires_at).toEqual(before);
    });

    it('applies one renewal order once, however often its job runs', async () => {
      const p = await purchase(botId, { planPanelId: rwPanel });
      await service.provision(botId, p.subscriptionId, p.orderId);
      const renewal = await renew(botId, p, { periodDays: 30 });
      const first = await service.extend(botId, p.subscriptionId, renewal);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => service.extend(botId, p.subscriptionId, renewal)),
      );
      expect(results.every((r) => !r.applied)).toBe(true);
      expect((await sub(p.subscriptionId)).expires_at).toEqual(first.expiresAt);
      expect(await events(p.subscriptionId, 'extended')).toHaveLength(1);
    });

    it('two different renewals of one subscription both count', async () => {
      const p = await purchase(botId, { planPanelId: rwPanel });
      await service.provision(botId, p.subscriptionId, p.orderId);
      const expiry = new Date(Date.now() + 3 * DAY);
      await setExpiry(p.subscriptionId, expiry);
      const a = await renew(botId, p, { periodDays: 30 });
      const b = await renew(botId, p, { periodDays: 60 });
      await Promise.all([service.extend(botId, p.subscriptionId, a), service.extend(botId, p.subscriptionId, b)]);
      const row = await sub(p.subscriptionId);
      expect(row.expires_at!.getTime()).toBe(expiry.getTime() + 90 * DAY);
      expect(rw.account(panelUsername(p.subscriptionId, 'remnawave'))!.expireAt!.getTime()).toBe(
        expiry.getTime() + 90 * DAY,
      );
    });
  });

  it('giving up fails the subscription, records it, frees the slot and lets the sale refund the order', async () => {
    const p = await purchase(botId, { planPanelId: rwPanel, amountMinor: 2500 });
    await rw.down();
    try {
      await expect(service.provision(botId, p.subscriptionId, p.orderId)).rejects.toMatchObject({
        code: ErrorCode.PANEL_UNAVAILABLE,
      });
      const load = await activeUsers(rwPanel);
      expect(await service.fail(botId, 'provision', p.subscriptionId, p.orderId, 'PANEL_UNAVAILABLE: down')).toBe(
        'failed',
      );
      expect(await service.fail(botId, 'provision', p.subscriptionId, p.orderId, 'again')).toBe('failed');
      expect((await sub(p.subscriptionId)).status).toBe('failed');
      const failed = await events(p.subscriptionId, 'provision_failed');
      expect(failed).toHaveLength(1);
      expect(failed[0].data.reason).toBe('PANEL_UNAVAILABLE: down');
      expect(await activeUsers(rwPanel)).toBe(load - 1);
      expect((await order(p.orderId)).status).toBe('refunded');
      const [user] = await platform.query(`SELECT balance_minor::int AS b FROM users WHERE id = $1`, [p.userId]);
      expect(user.b).toBe(2500);
    } finally {
      await rw.up();
    }
    // A late job for the failed subscription does nothing on the panel.
    const count = rw.accountCount();
    await expect(service.provision(botId, p.subscriptionId, p.orderId)).rejects.toMatchObject({
      code: ErrorCode.CONFLICT,
    });
    expect(rw.accountCount()).toBe(count);
  });

  it('giving up after the work was in fact done reports success instead', async () => {
    const p = await purchase(botId, { planPanelId: rwPanel });
    await service.provision(botId, p.subscriptionId, p.orderId);
    expect(await service.fail(botId, 'provision', p.subscriptionId, p.orderId, 'late')).toBe('succeeded');
    expect((await sub(p.subscriptionId)).status).toBe('active');
    expect((await order(p.orderId)).status).toBe('fulfilled');
  });

  describe('traffic sync', () => {
    const options = { concurrency: 2, pauseMs: 5 };

    it('stores usage per subscription and the bot total; a panel that is down keeps its old values', async () => {
      const bot = (await ctx.newBot()).id;
      // Bought one after another (the arrange is not what runs concurrently here), provisioned together.
      const bought = [];
      for (let i = 0; i < 3; i++) bought.push(await purchase(bot, { planPanelId: rwPanel }));
      const onRw = await Promise.all(
        bought.map(async (p) => {
          await service.provision(bot, p.subscriptionId, p.orderId);
          return p.subscriptionId;
        }),
      );
      const onMz = await purchase(bot, { planPanelId: mzPanel });
      await service.provision(bot, onMz.subscriptionId, onMz.orderId);
      onRw.forEach((id, i) => rw.setUsedTraffic(panelUsername(id, 'remnawave'), (i + 1) * GiB));
      mz.setUsedTraffic(panelUsername(onMz.subscriptionId, 'marzban'), 5 * GiB);

      const reports = await traffic.syncAll(options);
      expect(reports.find((r) => r.panelId === rwPanel)).toMatchObject({ gaveUp: false, failed: 0 });
      expect(Number((await sub(onRw[2])).traffic_used)).toBe(3 * GiB);
      expect(Number((await sub(onMz.subscriptionId)).traffic_used)).toBe(5 * GiB);
      const total = async () =>
        Number(
          (await platform.query(`SELECT traffic_consumed_bytes::bigint AS t FROM bots WHERE id = $1`, [bot]))[0].t,
        );
      expect(await total()).toBe(11 * GiB);

      onRw.forEach((id) => rw.setUsedTraffic(panelUsername(id, 'remnawave'), 9 * GiB));
      mz.setUsedTraffic(panelUsername(onMz.subscriptionId, 'marzban'), 6 * GiB);
      await rw.down();
      try {
        const second = await traffic.syncAll(options);
        expect(second.find((r) => r.panelId === rwPanel)).toMatchObject({ gaveUp: true, updated: 0 });
        expect(second.find((r) => r.panelId === mzPanel)).toMatchObject({ gaveUp: false });
      } finally {
        await rw.up();
      }
      expect(Number((await sub(onRw[0])).traffic_used)).toBe(1 * GiB);
      expect(Number((await sub(onMz.subscriptionId)).traffic_used)).toBe(6 * GiB);
      expect(await total()).toBe(12 * GiB);
    });

    it('never reads more users of one panel at once than the concurrency allows', async () => {
      const bot = (await ctx.newBot()).id;
      for (let i = 0; i < 6; i++) {
        const p = await purchase(bot, { planPanelId: mzPanel });
        await service.provision(bot, p.subscriptionId, p.orderId);
      }
      mz.slow(40);
      let inFlight = 0;
      let peak = 0;
      const original = global.fetch;
      global.fetch = async (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        const counted = url.startsWith(mz.url) && url.includes('/api/user/');
        if (counted) peak = Math.max(peak, ++inFlight);
        try {
          return await original(input, init);
        } finally {
          if (counted) inFlight -= 1;
        }
      };
      try {
        const [report] = await traffic.syncAll(options, mzPanel);
        expect(report.updated).toBeGreaterThanOrEqual(6);
      } finally {
        global.fetch = original;
        mz.slow(0);
      }
      expect(peak).toBe(2);
    });
  });
});
