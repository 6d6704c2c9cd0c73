import Redis from 'ioredis';
import {
  createTestEnv,
  QUICK_BOT_LEASES,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  testRedisUrl,
  waitFor,
  WorkerProcess,
} from '@botfleet/testing';
import { PublicApi } from './support/public-api';

const BOTS = 50;
const SLACK = 2;

/**
 * Two worker processes share 50 bots: every bot is polled by exactly one worker, each takes at most its
 * fair share, and Telegram never answers 409; after `kill -9` of one worker the other answers for all of
 * its bots within 15 s (here with a 3 s lease, so it takes a few seconds), still without a 409.
 */
describe('bot hosting: scale out and takeover', () => {
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let redis: Redis;
  let a: WorkerProcess;
  let b: WorkerProcess;
  let c: WorkerProcess | undefined;
  const bots: { tg: { id: number; token: string; username: string }; botId: string }[] = [];
  let userSeq = 40_000;

  /** botId → worker id, from the lease values `${workerId}:${fence}`. */
  const holders = async (): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    const keys = bots.map((b) => `${env.redisPrefix}:bot-lease:${b.botId}`);
    const values = await redis.mget(...keys);
    values.forEach((v, i) => v && out.set(bots[i].botId, v.slice(0, v.lastIndexOf(':'))));
    return out;
  };

  beforeAll(async () => {
    const url = await emu.listen(0);
    env = await createTestEnv({
      TELEGRAM_API_ROOT: url,
      ...QUICK_BOT_LEASES,
      BOT_LEASE_SLACK: String(SLACK),
    });
    redis = new Redis(testRedisUrl());
    // Registered before any worker runs: the workers find them at boot.
    const api = await PublicApi.start(env);
    try {
      for (let i = 0; i < BOTS; i++) {
        const tg = emu.createBot();
        bots.push({ tg, botId: (await api.registerBot(tg)).id });
      }
    } finally {
      await api.close();
    }
    [a, b] = await Promise.all([spawnWorker(env.vars), spawnWorker(env.vars)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    redis?.disconnect();
    await emu.close();
    await env?.cleanup();
  });

  it('every bot is polled by exactly one worker, each within its fair share, with zero 409s', async () => {
    const share = Math.ceil(BOTS / 2) + SLACK;
    await waitFor(
      async () => {
        const h = await holders();
        if (h.size !== BOTS) return false;
        const counts = [...h.values()].reduce((m, w) => m.set(w, (m.get(w) ?? 0) + 1), new Map<string, number>());
        if (counts.size !== 2 || [...counts.values()].some((n) => n > share)) return false;
        for (const { tg } of bots) if ((await emu.getBotStats(tg.id)).activePollers !== 1) return false;
        return true;
      },
      20_000,
      200,
    );
    // Steady state: a few more poll cycles, still one poller per token and no 409 anywhere.
    await new Promise((r) => setTimeout(r, 2_000));
    for (const { tg } of bots) expect((await emu.getBotStats(tg.id)).activePollers).toBe(1);
    expect((await emu.getStats()).status409).toBe(0);
    const users = bots.map(() => ({ id: ++userSeq, first_name: 'S' }));
    await Promise.all(bots.map(({ tg }, i) => emu.sendText(tg.id, { from: users[i], text: '/start' })));
    await Promise.all(bots.map(({ tg }, i) => emu.waitForMessages(tg.id, users[i].id, 1, 5_000)));
    const metricHeld = (await a.metric('botfleet_bots_running')) + (await b.metric('botfleet_bots_running'));
    expect(metricHeld).toBe(BOTS);
  }, 40_000);

  it('after kill -9 of one worker, the other answers for all its bots within 15 s, with zero 409s', async () => {
    const victimId = /worker_id="([^"]+)"/.exec(await a.metrics())![1];
    const h = await holders();
    const victimBots = bots.filter((x) => h.get(x.botId) === victimId);
    expect(victimBots.length).toBeGreaterThan(0);
    const t0 = Date.now();
    await a.kill();
    const users = victimBots.map(() => ({ id: ++userSeq, first_name: 'K' }));
    await Promise.all(victimBots.map(({ tg }, i) => emu.sendText(tg.id, { from: users[i], text: '/start' })));
    await Promise.all(victimBots.map(({ tg }, i) => emu.waitForMessages(tg.id, users[i].id, 1, 15_000)));
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect((await emu.getStats()).status409).toBe(0);
    expect(await b.metric('botfleet_bot_lease_takeovers_total')).toBeGreaterThanOrEqual(victimBots.length);
    expect(await b.metric('botfleet_bots_running')).toBe(BOTS);
  }, 40_000);

  it('SIGTERM hands every bot over at once (released, not taken over) and loses no update', async () => {
    c = await spawnWorker(env.vars);
    const cId = /worker_id="([^"]+)"/.exec(await c.metrics())![1];
    const users = bots.map(() => ({ id: ++userSeq, first_name: 'T' }));
    const stopped = b.stop();
    await Promise.all(bots.map(({ tg }, i) => emu.sendText(tg.id, { from: users[i], text: '/help' })));
    expect(await stopped).toBe(0);
    await waitFor(async () => [...(await holders()).values()].filter((w) => w === cId).length === BOTS, 5_000);
    await Promise.all(bots.map(({ tg }, i) => emu.waitForMessages(tg.id, users[i].id, 1, 5_000)));
    // Released on shutdown, so c acquired them as free bots: none counts as a takeover.
    expect(await c.metric('botfleet_bot_lease_takeovers_total')).toBe(0);
    expect((await emu.getStats()).status409).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    for (const [i, { tg }] of bots.entries()) expect(await emu.getChatMessages(tg.id, users[i].id)).toHaveLength(1);
  }, 40_000);
});
