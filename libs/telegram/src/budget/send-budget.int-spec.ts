import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { loadConfig } from '@botfleet/config';
import { TcpProxy, testRedisUrl } from '@botfleet/testing';
import { SendBudget, SendPriority } from './send-budget';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two "processes" (two SendBudget instances, two connections) sharing one Redis, as workers and the API do. */
describe('SendBudget (real Redis)', () => {
  const prefix = `bft${randomBytes(4).toString('hex')}`;
  const redisA = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  const redisB = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });

  function budget(redis: Redis, vars: Record<string, string> = {}): SendBudget {
    const config = loadConfig({
      DATABASE_URL: 'postgres://x@localhost/x',
      DATABASE_OWNER_URL: 'postgres://x@localhost/x',
      DATABASE_PLATFORM_URL: 'postgres://x@localhost/x',
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: prefix,
      ENCRYPTION_KEY: `1:${randomBytes(32).toString('base64')}`,
      TOKEN_HASH_KEY: randomBytes(32).toString('base64'),
      MASTER_API_TOKEN: 'm'.repeat(40),
      ...vars,
    });
    return new SendBudget(config, redis);
  }

  afterAll(async () => {
    const keys = await redisA.keys(`${prefix}*`);
    if (keys.length) await redisA.del(...keys);
    redisA.disconnect();
    redisB.disconnect();
  });

  /** Grant times (ms since start) of `count` sends racing through two processes, one chat each. */
  async function race(
    budgets: SendBudget[],
    botId: string,
    count: number,
    priority: SendPriority,
    chatOf: (i: number) => number = (i) => 1_000_000 + i,
  ): Promise<number[]> {
    const start = Date.now();
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        await budgets[i % budgets.length].acquire(botId, chatOf(i), priority);
        return Date.now() - start;
      }),
    );
  }

  /** The most grants inside any window of `windowMs`. */
  function maxInWindow(times: number[], windowMs: number): number {
    const sorted = [...times].sort((a, b) => a - b);
    let best = 0;
    for (let i = 0, j = 0; j < sorted.length; j++) {
      while (sorted[j] - sorted[i] >= windowMs) i++;
      best = Math.max(best, j - i + 1);
    }
    return best;
  }

  it('lets a bot send at most bucket + rate messages in any second, across processes', async () => {
    const vars = { TELEGRAM_BOT_MSGS_PER_S: '20', TELEGRAM_BOT_BURST: '3' };
    const budgets = [budget(redisA, vars), budget(redisB, vars)];
    const times = await race(budgets, randomUUID(), 60, 'interactive');
    // 60 messages at 20/s after a bucket of 3: about 2.85 s, never faster.
    expect(Math.max(...times)).toBeGreaterThanOrEqual(2_700);
    expect(Math.max(...times)).toBeLessThan(4_500);
    // Observed on the client, so one grant of scheduling jitter is allowed over the bucket + rate granted by Redis.
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(3 + 20 + 1);
  });

  it('gives every bot its own bucket: one bot sending flat out does not slow another', async () => {
    const vars = { TELEGRAM_BOT_MSGS_PER_S: '10', TELEGRAM_BOT_BURST: '2' };
    const b = budget(redisA, vars);
    const busy = randomUUID();
    const flood = race([b], busy, 25, 'bulk');
    await sleep(100);
    const t0 = Date.now();
    await Promise.all([1, 2].map((i) => b.acquire(randomUUID(), 500 + i, 'bulk')));
    expect(Date.now() - t0).toBeLessThan(150);
    await flood;
  });

  it('keeps the reserve for answers: bulk waits while interactive sends go at once', async () => {
    const vars = { TELEGRAM_BOT_MSGS_PER_S: '5', TELEGRAM_BOT_BURST: '3', TELEGRAM_BULK_RESERVE: '2' };
    const b = budget(redisA, vars);
    const botId = randomUUID();
    // A full bucket of 3: one bulk message takes it to 2; the next bulk one cannot go now — it books the token of
    // the next refill (negative: leave in that many ms), which the bucket lends from the reserve until then.
    expect(await b.tryTake(botId, 11, 'bulk')).toBe(0);
    const booked = await b.tryTake(botId, 12, 'bulk');
    expect(booked).toBeLessThan(0);
    expect(-booked).toBeLessThanOrEqual(200); // one refill at 5/s
    // A third bulk message may neither go nor book (that would eat into the reserve): it waits.
    expect(await b.tryTake(botId, 16, 'bulk')).toBeGreaterThan(0);
    // ...while an answer still leaves at once, and the next one waits for a refill.
    expect(await b.tryTake(botId, 13, 'interactive')).toBe(0);
    expect(await b.tryTake(botId, 15, 'interactive')).toBeGreaterThan(0);
  });

  it('a broadcast message asks Redis about once: it books the next refill instead of asking, waiting, asking', async () => {
    const vars = { TELEGRAM_BOT_MSGS_PER_S: '25', TELEGRAM_BOT_BURST: '4', TELEGRAM_BULK_RESERVE: '2' };
    const b = budget(redisA, vars);
    let asked = 0;
    const tryTake = b.tryTake.bind(b);
    b.tryTake = (...args: Parameters<SendBudget['tryTake']>) => {
      asked++;
      return tryTake(...args);
    };
    const times = await race([b], randomUUID(), 40, 'bulk');
    expect(asked).toBeLessThanOrEqual(40 + 6);
    // Still at the bucket's pace: 40 after a bucket of 2 usable at 25/s ≈ 1.5 s, never more than 2 + 25 a second.
    expect(Math.max(...times)).toBeGreaterThanOrEqual(1_400);
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(2 + 25 + 1);
  });

  it('an answer waits at most one refill while a broadcast drains the bot flat out', async () => {
    const vars = { TELEGRAM_BOT_MSGS_PER_S: '25', TELEGRAM_BOT_BURST: '3', TELEGRAM_BULK_RESERVE: '2' };
    const budgets = [budget(redisA, vars), budget(redisB, vars)];
    const botId = randomUUID();
    const broadcast = race(budgets, botId, 60, 'bulk');
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      await sleep(150);
      const t0 = Date.now();
      await budgets[i % 2].acquire(botId, 900 + i, 'interactive');
      waits.push(Date.now() - t0);
    }
    const bulk = await broadcast;
    expect(Math.max(...waits)).toBeLessThan(60);
    // The broadcast still goes at about the bot's rate (60 at 25/s ≈ 2.4 s).
    expect(Math.max(...bulk)).toBeLessThan(3_600);
  });

  it('paces one private chat at its own rate and a group at its per-minute rate', async () => {
    const vars = {
      TELEGRAM_BOT_MSGS_PER_S: '1000',
      TELEGRAM_BOT_BURST: '100',
      TELEGRAM_CHAT_MSGS_PER_S: '2',
      TELEGRAM_CHAT_BURST: '2',
      TELEGRAM_GROUP_MSGS_PER_MIN: '60',
      TELEGRAM_GROUP_BURST: '1',
    };
    const b = budget(redisA, vars);
    const botId = randomUUID();
    const times = await race([b], botId, 6, 'interactive', () => 4242);
    // 2 at once, then 2 per second: the 6th leaves after about 2 s.
    expect(Math.max(...times)).toBeGreaterThanOrEqual(1_900);
    expect(await b.tryTake(botId, -100777, 'interactive')).toBe(0);
    const groupWait = await b.tryTake(botId, -100777, 'interactive');
    expect(groupWait).toBeGreaterThan(800);
    expect(groupWait).toBeLessThanOrEqual(1_000);
    // Other chats of the same bot are not held up by either.
    expect(await b.tryTake(botId, 4343, 'interactive')).toBe(0);
  });

  it("honours a 429's retry_after for the whole bot, in every process and at every priority", async () => {
    const a = budget(redisA);
    const other = budget(redisB);
    const botId = randomUUID();
    await a.pause(botId, 700);
    const wait = await other.tryTake(botId, 77, 'interactive');
    expect(wait).toBeGreaterThan(500);
    expect(wait).toBeLessThanOrEqual(700);
    // A shorter pause never shortens a longer one.
    await other.pause(botId, 100);
    expect(await a.tryTake(botId, 78, 'bulk')).toBeGreaterThan(400);
    const t0 = Date.now();
    await other.acquire(botId, 79, 'interactive');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(await a.tryTake(randomUUID(), 80, 'interactive')).toBe(0);
  });

  it('keeps every key under REDIS_PREFIX with the bot id as the cluster hash tag, and lets them expire', async () => {
    const b = budget(redisA);
    const botId = randomUUID();
    await b.acquire(botId, 5151, 'interactive');
    await b.acquire(botId, -100123, 'interactive');
    await b.pause(botId, 1_000);
    const keys = (await redisA.keys(`${prefix}*`)).filter((k) => k.includes(botId)).sort();
    expect(keys).toEqual([
      `${prefix}:budget:{${botId}}`,
      `${prefix}:budget:{${botId}}:chat:-100123`,
      `${prefix}:budget:{${botId}}:chat:5151`,
      `${prefix}:budget:{${botId}}:pause`,
    ]);
    for (const key of keys) expect(await redisA.pttl(key)).toBeGreaterThan(0);
  });

  it('sends anyway when Redis does not answer (bounded wait), and is off with a rate of 0', async () => {
    const proxy = await TcpProxy.forUrl(testRedisUrl()).start();
    const hanging = new Redis(proxy.url(testRedisUrl()), { maxRetriesPerRequest: 1, commandTimeout: 200 });
    try {
      const b = budget(hanging);
      await b.acquire(randomUUID(), 1, 'bulk');
      proxy.pause();
      const t0 = Date.now();
      await b.acquire(randomUUID(), 1, 'bulk');
      expect(Date.now() - t0).toBeLessThan(1_000);
    } finally {
      hanging.disconnect();
      await proxy.stop();
    }
    const off = budget(redisA, { TELEGRAM_BOT_MSGS_PER_S: '0' });
    expect(off.gate(randomUUID())).toBeUndefined();
    expect(off.enabled).toBe(false);
  });
});
