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

const BOTS = 300;
const WORKERS = 3;
const SLACK = 5;

/**
 * Three worker processes share 300 bots. The emulator answers a second concurrent getUpdates for a token with a
 * 409 (as Telegram does), so "zero 409s" means no bot was ever polled by two workers at once. A worker killed
 * with SIGKILL has its bots answered by the others within 15 s; a worker that joins takes its fair share from
 * the others (they hand bots over, released, not taken over), still without a 409.
 */
describe('many workers: 3 processes, 300 bots', () => {
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let redis: Redis;
  const workers: WorkerProcess[] = [];
  const bots: { tg: { id: number; token: string; username: string }; botId: string }[] = [];
  let userSeq = 60_000;

  /** botId → worker id, from the lease values `${workerId}:${fence}`. */
  const holders = async (): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    const values = await redis.mget(...bots.map((b) => `${env.redisPrefix}:bot-lease:${b.botId}`));
    values.forEach((v, i) => v && out.set(bots[i].botId, v.slice(0, v.lastIndexOf(':'))));
    return out;
  };
  const countsBy = (h: Map<string, string>) =>
    [...h.values()].reduce((m, w) => m.set(w, (m.get(w) ?? 0) + 1), new Map<string, number>());
  const workerId = async (w: WorkerProcess) => /worker_id="([^"]+)"/.exec(await w.metrics())![1];
  /** Every bot has exactly one pending long poll right now. */
  const onePollerEach = async () => {
    for (const { tg } of bots) if ((await emu.getBotStats(tg.id)).activePollers !== 1) return false;
    return true;
  };
  const answerAll = async (subset: typeof bots, timeoutMs: number) => {
    const users = subset.map(() => ({ id: ++userSeq, first_name: 'M' }));
    await Promise.all(subset.map(({ tg }, i) => emu.sendText(tg.id, { from: users[i], text: '/start' })));
    await Promise.all(subset.map(({ tg }, i) => emu.waitForMessages(tg.id, users[i].id, 1, timeoutMs)));
  };

  beforeAll(async () => {
    const url = await emu.listen(0);
    env = await createTestEnv({
      TELEGRAM_API_ROOT: url,
      ...QUICK_BOT_LEASES,
      BOT_LEASE_TTL_MS: '4000',
      BOT_LEASE_SLACK: String(SLACK),
    });
    redis = new Redis(testRedisUrl());
    const api = await PublicApi.start(env);
    try {
      const tgs = Array.from({ length: BOTS }, () => emu.createBot());
      for (let i = 0; i < tgs.length; i += 20) {
        const batch = tgs.slice(i, i + 20);
        const ids = await Promise.all(batch.map((tg) => api.registerBot(tg)));
        batch.forEach((tg, j) => bots.push({ tg, botId: ids[j].id }));
      }
    } finally {
      await api.close();
    }
    workers.push(...(await Promise.all(Array.from({ length: WORKERS }, () => spawnWorker(env.vars)))));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    redis?.disconnect();
    await emu.close();
    await env?.cleanup();
  });

  it('every bot is polled by exactly one of the three workers, each within its fair share, with zero 409s', async () => {
    const share = Math.ceil(BOTS / WORKERS) + SLACK;
    await waitFor(
      async () => {
        const h = await holders();
        if (h.size !== BOTS) return false;
        const counts = countsBy(h);
        return counts.size === WORKERS && [...counts.values()].every((n) => n <= share) && (await onePollerEach());
      },
      60_000,
      500,
    );
    // A few more poll cycles: still one poller per token, never a second one (a 409).
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await onePollerEach()).toBe(true);
    expect((await emu.getStats()).status409).toBe(0);
    await answerAll(bots, 15_000);
  }, 120_000);

  it('after SIGKILL of one worker, the other two answer all its bots within 15 s, with zero 409s', async () => {
    const victim = workers[0];
    const victimId = await workerId(victim);
    const h = await holders();
    const victimBots = bots.filter((b) => h.get(b.botId) === victimId);
    expect(victimBots.length).toBeGreaterThan(0);
    const t0 = Date.now();
    await victim.kill();
    await answerAll(victimBots, 15_000);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect((await emu.getStats()).status409).toBe(0);
    const after = await holders();
    expect(after.size).toBe(BOTS);
    expect([...after.values()]).not.toContain(victimId);
  }, 60_000);

  it('a worker that comes back gets its fair share again, handed over without a 409', async () => {
    const back = await spawnWorker(env.vars);
    workers.push(back);
    const backId = await workerId(back);
    // The others keep at most their share (ceil(300/3) + slack) each, so the joiner ends with at least the rest.
    const fair = BOTS - (WORKERS - 1) * (Math.ceil(BOTS / WORKERS) + SLACK);
    await waitFor(async () => (countsBy(await holders()).get(backId) ?? 0) >= fair, 60_000, 500);
    await waitFor(onePollerEach, 20_000, 500);
    expect((await emu.getStats()).status409).toBe(0);
    const counts = countsBy(await holders());
    expect(counts.size).toBe(WORKERS);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(BOTS);
    // The joiner's bots were handed over (released by their holders), not taken from a dead worker.
    expect(await back.metric('botfleet_bot_lease_takeovers_total')).toBe(0);
    // And it answers for the bots it took.
    const now = await holders();
    await answerAll(
      bots.filter((b) => now.get(b.botId) === backId),
      15_000,
    );
  }, 120_000);
});
