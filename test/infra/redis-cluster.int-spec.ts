import { Cluster } from 'ioredis';
import { Actors } from '@botfleet/common';
import { BotAdminService } from '@botfleet/operator';
import {
  LocalRedisCluster,
  QUICK_BOT_LEASES,
  startRedisCluster,
  TestBot,
  waitFor,
  WorkerWorld,
} from '@botfleet/testing';
import { createWorkerApp } from '../../apps/worker/src/bootstrap';

/**
 * The worker on a real three-master Redis Cluster (REDIS_CLUSTER_NODES, a hash-tagged REDIS_PREFIX): the
 * bot leases, the BullMQ queues (updates, provisioning, notices) and the bot events (pub/sub) all work, and
 * their keys really live on the cluster.
 */
describe('the worker on a Redis Cluster (3 masters)', () => {
  jest.setTimeout(120_000);

  let cluster: LocalRedisCluster;
  let world: WorkerWorld;
  let client: Cluster;
  let bot: TestBot;
  let seq = 0;
  const OWNER = 950_001;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    world = await WorkerWorld.start({
      env: { ...QUICK_BOT_LEASES, BOT_POLL_TIMEOUT_S: '1', REDIS_CLUSTER_NODES: cluster.nodes },
      panels: ['remnawave'],
    });
    client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    const panel = await world.newRemnawavePanel();
    bot = await world.ctx.newBot({ ownerTelegramId: OWNER, walletMinor: 10_000_000, defaultLanguage: 'en' });
    await world.ctx.newPlan(bot.id, { name: { en: 'Cluster month' }, priceMinor: 50_000, panelId: panel.id });
    await world.startWorker(createWorkerApp);
    await world.telegram.waitForPolling(bot.telegram.id, 20_000);
  });

  afterAll(async () => {
    client?.disconnect();
    await world?.close();
    await cluster?.stop();
  });

  it('the prefix is a hash tag and the lease of the bot lives on the cluster', async () => {
    expect(world.env.redisPrefix).toMatch(/^\{.+\}$/);
    const lease = await waitFor(() => client.get(`${world.env.redisPrefix}:bot-lease:${bot.id}`), 10_000);
    expect(lease).toMatch(/:\d+$/);
    // Every key of the run hashes to the prefix's slot: one node holds them all.
    const slot = Number(await client.cluster('KEYSLOT', `${world.env.redisPrefix}:bot-lease:${bot.id}`));
    expect(Number(await client.cluster('KEYSLOT', `${world.env.redisPrefix}:q:notifications:id`))).toBe(slot);
  });

  it('updates are answered (the update pipeline and its queue run on the cluster)', async () => {
    const from = { id: 951_000 + ++seq, first_name: 'C', language_code: 'en' };
    world.telegram.sendText(bot.telegram.id, { from, text: '/start' });
    await waitFor(
      () => world.telegram.getChatMessages(bot.telegram.id, from.id).find((m) => m.direction === 'bot'),
      15_000,
    );
  });

  it('a sale is provisioned through the BullMQ provisioning queue on the cluster', async () => {
    const paid = await world.ctx.newPaidOrder(bot.id, { via: 'wallet' });
    await waitFor(async () => (await world.orderStatus(paid.orderId)) === 'fulfilled', 30_000);
    const sub = await world.subscription(paid.subscriptionId);
    expect(sub.status).toBe('active');
    expect(sub.subscription_url).toBeTruthy();
    // KEYS answers for one node only: ask every master. The queue's keys are there, all on one node (one slot).
    const perNode = await Promise.all(client.nodes('master').map((n) => n.keys(`${world.env.redisPrefix}:q:*`)));
    expect(perNode.flat()).toEqual(expect.arrayContaining([expect.stringContaining(':q:provisioning:')]));
    expect(perNode.filter((keys) => keys.length)).toHaveLength(1);
  });

  it('a bot event (suspend) reaches the worker over cluster pub/sub: the bot stops polling within 2 s', async () => {
    await world.ctx.get(BotAdminService).suspend(bot.id, Actors.master());
    const t0 = Date.now();
    await waitFor(async () => (await world.telegram.getBotStats(bot.telegram.id)).activePollers === 0, 5_000, 50);
    expect(Date.now() - t0).toBeLessThan(2_500);
    await world.ctx.get(BotAdminService).resume(bot.id, Actors.master());
    await world.telegram.waitForPolling(bot.telegram.id, 10_000);
  });
});
