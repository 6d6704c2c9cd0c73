import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobName, jobIdFor, provisioningJobOptions, QueueName } from '@botfleet/jobs';
import { panelUsername } from '@botfleet/provisioning';
import {
  AppProcess,
  createTestEnv,
  REMNAWAVE_DEFAULT_SQUAD_UUID,
  RemnawaveEmulator,
  spawnApp,
  TestContext,
  TestEnv,
  testRedisUrl,
  waitFor,
} from '@botfleet/testing';

const DAY = 86_400_000;
const GiB = 1024 ** 3;
const RW_KEY = 'rw-e2e-key-51aa';
const ATTEMPTS = 4;
const BACKOFF_MS = 300;

/**
 * Provisioning jobs end to end: the real worker process (from dist/, built first) consumes the provisioning
 * queue in Redis, talks to the Remnawave emulator over HTTP and writes PostgreSQL. Jobs are queued the way
 * the sale queues them (same queue, same defaults). Retries are shrunk to seconds through the config.
 */
describe('provisioning jobs (worker process, Redis queue, panel emulator)', () => {
  jest.setTimeout(90_000);

  let env: TestEnv;
  let platform: DataSource;
  let ctx: TestContext;
  let worker: AppProcess;
  let queue: Queue;
  let rw: RemnawaveEmulator;
  let rwPanel: string;
  let botId: string;

  const sub = async (id: string) =>
    (
      await platform.query(
        `SELECT status, expires_at, traffic_used_bytes::bigint AS used FROM subscriptions WHERE id = $1`,
        [id],
      )
    )[0] as { status: string; expires_at: Date | null; used: string };
  const orderStatus = async (id: string) =>
    ((await platform.query(`SELECT status FROM orders WHERE id = $1`, [id]))[0] as { status: string }).status;
  const eventCount = async (subscriptionId: string, type: string) =>
    Number(
      (
        await platform.query(
          `SELECT count(*)::int AS n FROM subscription_events WHERE subscription_id = $1 AND type = $2`,
          [subscriptionId, type],
        )
      )[0].n,
    );
  const accountsNamed = (subscriptionId: string) =>
    rw.accounts().filter((a) => a.username === panelUsername(subscriptionId, 'remnawave')).length;
  const provision = (
    subscriptionId: string,
    orderId: string,
    jobId = jobIdFor(JobName.ProvisionSubscription, [botId, orderId]),
  ) => queue.add(JobName.ProvisionSubscription, { botId, subscriptionId, orderId }, { jobId });
  const startWorker = async () => {
    const w = spawnApp('worker', env.vars);
    // The worker is consuming once its scheduler entry for the traffic sync exists.
    await waitFor(async () => (await queue.getJobSchedulers()).length > 0, 20_000);
    return w;
  };

  const panel = async (input: Parameters<TestContext['newPanel']>[0]) => (await ctx.newPanel(input)).id;
  /** A purchase paid through the sale's use cases (wallet); the tests queue its provisioning job themselves. */
  const purchase = (bot: string, o: { planPanelId: string; amountMinor?: number }) =>
    ctx.newPaidOrder(bot, { plan: { panelId: o.planPanelId, priceMinor: o.amountMinor ?? 1000 } });
  const renew = async (bot: string, p: { userId: string; subscriptionId: string }, o: { periodDays: number }) =>
    (
      await ctx.newPaidOrder(bot, {
        userId: p.userId,
        renewSubscriptionId: p.subscriptionId,
        plan: { periodDays: o.periodDays },
      })
    ).orderId;

  beforeAll(async () => {
    env = await createTestEnv({
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
      PROVISIONING_ATTEMPTS: String(ATTEMPTS),
      PROVISIONING_BACKOFF_MS: String(BACKOFF_MS),
      PROVISIONING_LOCK_MS: '1500',
      TRAFFIC_SYNC_INTERVAL_MS: '700',
      TRAFFIC_SYNC_PAUSE_MS: '0',
    });
    platform = await env.db.platform();
    rw = new RemnawaveEmulator({ apiKey: RW_KEY });
    await rw.start();
    // The jobs the sale queues go where no consumer reads: each test queues its job when it is ready.
    ctx = await TestContext.create({ env, jobs: 'detached' });
    rwPanel = await panel({
      type: 'remnawave',
      baseUrl: rw.url,
      credentials: { apiKey: RW_KEY },
      settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
    });
    // Paused: the bot supervisor leaves it alone; provisioning does not care.
    botId = (await ctx.newBot({ status: 'paused' })).id;
    queue = new Queue(QueueName.Provisioning, {
      connection: { url: testRedisUrl(), maxRetriesPerRequest: null },
      prefix: `${env.redisPrefix}:q`,
      defaultJobOptions: provisioningJobOptions(ATTEMPTS, BACKOFF_MS),
    });
    worker = await startWorker();
  });

  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await queue?.close();
    await rw?.stop();
    await env?.cleanup();
  });

  it('a panel down for the first attempts: the job retries and makes exactly one account once it is back', async () => {
    const p = await purchase(botId, { planPanelId: rwPanel });
    await rw.down();
    let job: Job | undefined;
    try {
      job = await provision(p.subscriptionId, p.orderId);
      await waitFor(async () => ((await queue.getJob(job!.id!))?.attemptsMade ?? 0) >= 2, 15_000);
      expect((await sub(p.subscriptionId)).status).toBe('pending');
      expect(await orderStatus(p.orderId)).toBe('fulfilling');
    } finally {
      await rw.up();
    }
    await waitFor(async () => (await sub(p.subscriptionId)).status === 'active', 15_000);
    expect(accountsNamed(p.subscriptionId)).toBe(1);
    expect(await eventCount(p.subscriptionId, 'provisioned')).toBe(1);
    await waitFor(async () => (await orderStatus(p.orderId)) === 'fulfilled');
    await waitFor(async () => (await queue.getJobState(job!.id!)) === 'completed');
  });

  it('a panel failing for good: after the last attempt the subscription is failed and the order refunded', async () => {
    const dead = new RemnawaveEmulator({ apiKey: RW_KEY });
    await dead.start();
    const deadPanel = await panel({
      type: 'remnawave',
      baseUrl: dead.url,
      credentials: { apiKey: RW_KEY },
    });
    await dead.down('503');
    try {
      const p = await purchase(botId, { planPanelId: deadPanel, amountMinor: 4200 });
      const job = await provision(p.subscriptionId, p.orderId);
      await waitFor(async () => (await queue.getJobState(job.id!)) === 'failed', 20_000);
      const failed = (await queue.getJob(job.id!))!;
      expect((await sub(p.subscriptionId)).status).toBe('failed');
      expect(failed.attemptsMade).toBe(ATTEMPTS);
      expect(await eventCount(p.subscriptionId, 'provision_failed')).toBe(1);
      await waitFor(async () => (await orderStatus(p.orderId)) === 'refunded');
      const [user] = await platform.query(`SELECT balance_minor::int AS b FROM users WHERE id = $1`, [p.userId]);
      expect(user.b).toBe(4200);
      expect(dead.accountCount()).toBe(0);
    } finally {
      await dead.stop();
    }
  });

  it('50 provision jobs for one subscription queued at once make one account', async () => {
    const p = await purchase(botId, { planPanelId: rwPanel });
    const base = jobIdFor(JobName.ProvisionSubscription, [botId, p.orderId]);
    const jobs = await queue.addBulk(
      Array.from({ length: 50 }, (_, i) => ({
        name: JobName.ProvisionSubscription,
        data: { botId, subscriptionId: p.subscriptionId, orderId: p.orderId },
        opts: { jobId: `${base}__copy${i}` },
      })),
    );
    await waitFor(
      async () => (await Promise.all(jobs.map((j) => queue.getJobState(j.id!)))).every((s) => s === 'completed'),
      30_000,
      100,
    );
    expect(accountsNamed(p.subscriptionId)).toBe(1);
    expect(await eventCount(p.subscriptionId, 'provisioned')).toBe(1);
    expect((await sub(p.subscriptionId)).status).toBe('active');
    expect(await orderStatus(p.orderId)).toBe('fulfilled');
  });

  it('a renewal job applied twice adds the period once, from the current expiry', async () => {
    const p = await purchase(botId, { planPanelId: rwPanel });
    await provision(p.subscriptionId, p.orderId);
    await waitFor(async () => (await sub(p.subscriptionId)).status === 'active');
    const expiry = new Date(Date.now() + 4 * DAY);
    await platform.query(`UPDATE subscriptions SET expires_at = $2 WHERE id = $1`, [p.subscriptionId, expiry]);
    const renewal = await renew(botId, p, { periodDays: 30 });
    const data = { botId, subscriptionId: p.subscriptionId, orderId: renewal };
    const id = jobIdFor(JobName.ExtendSubscription, [botId, renewal]);
    const first = await queue.add(JobName.ExtendSubscription, data, { jobId: id });
    const second = await queue.add(JobName.ExtendSubscription, data, { jobId: `${id}__again` });
    await waitFor(
      async () =>
        (await queue.getJobState(first.id!)) === 'completed' && (await queue.getJobState(second.id!)) === 'completed',
      15_000,
    );
    expect((await sub(p.subscriptionId)).expires_at!.getTime()).toBe(expiry.getTime() + 30 * DAY);
    expect(rw.account(panelUsername(p.subscriptionId, 'remnawave'))!.expireAt!.getTime()).toBe(
      expiry.getTime() + 30 * DAY,
    );
    expect(await eventCount(p.subscriptionId, 'extended')).toBe(1);
    expect(await orderStatus(renewal)).toBe('fulfilled');
  });

  it('a disable job switches the account off; the repeatable traffic sync keeps usage and the bot total current', async () => {
    const bot = (await ctx.newBot({ status: 'paused' })).id;
    const a = await purchase(bot, { planPanelId: rwPanel });
    const b = await purchase(bot, { planPanelId: rwPanel });
    for (const p of [a, b]) {
      await queue.add(JobName.ProvisionSubscription, {
        botId: bot,
        subscriptionId: p.subscriptionId,
        orderId: p.orderId,
      });
    }
    await waitFor(
      async () =>
        (await sub(a.subscriptionId)).status === 'active' && (await sub(b.subscriptionId)).status === 'active',
    );
    rw.setUsedTraffic(panelUsername(a.subscriptionId, 'remnawave'), 3 * GiB);
    rw.setUsedTraffic(panelUsername(b.subscriptionId, 'remnawave'), 2 * GiB);
    const total = async () =>
      Number((await platform.query(`SELECT traffic_consumed_bytes::bigint AS t FROM bots WHERE id = $1`, [bot]))[0].t);
    await waitFor(async () => (await total()) === 5 * GiB, 15_000);
    expect(Number((await sub(a.subscriptionId)).used)).toBe(3 * GiB);

    await queue.add(JobName.DisableSubscription, { botId: bot, subscriptionId: b.subscriptionId, reason: 'refunded' });
    await waitFor(async () => (await sub(b.subscriptionId)).status === 'disabled');
    expect(rw.account(panelUsername(b.subscriptionId, 'remnawave'))!.enabled).toBe(false);
  });

  it('the worker killed in the middle of a provision job: after a restart there is exactly one account', async () => {
    // The panel behind a proxy that withholds the answer to a create: the account exists, the worker never
    // hears so, and dies waiting (the crash window between the panel's yes and our commit).
    const proxy = await answerWithholdingProxy(rw.url);
    const proxied = await panel({
      type: 'remnawave',
      baseUrl: proxy.url,
      credentials: { apiKey: RW_KEY },
      settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
    });
    try {
      const p = await purchase(botId, { planPanelId: proxied });
      proxy.withholdCreates(true);
      await provision(p.subscriptionId, p.orderId);
      await waitFor(() => accountsNamed(p.subscriptionId) === 1, 10_000);
      await worker.kill();
      proxy.withholdCreates(false);
      expect((await sub(p.subscriptionId)).status).toBe('pending');

      worker = spawnApp('worker', env.vars);
      await waitFor(async () => (await sub(p.subscriptionId)).status === 'active', 20_000);
      expect(accountsNamed(p.subscriptionId)).toBe(1);
      expect(await eventCount(p.subscriptionId, 'provisioned')).toBe(1);
      await waitFor(async () => (await orderStatus(p.orderId)) === 'fulfilled');
    } finally {
      await proxy.close();
    }
  });
});

/** Forwards to `target`; while withholding, answers to `POST /api/users` are held back (after the panel acted). */
async function answerWithholdingProxy(target: string) {
  let withhold = false;
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'x-api-key', 'content-type', 'cookie']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = await fetch(`${target}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      if (withhold && req.method === 'POST' && req.url === '/api/users') {
        await new Promise((r) => setTimeout(r, 8_000).unref());
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(body);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    withholdCreates: (on: boolean) => {
      withhold = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
