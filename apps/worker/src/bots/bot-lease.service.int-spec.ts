import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { AppConfig } from '@botfleet/config';
import { testRedisUrl } from '@botfleet/testing';
import { BotLeaseService } from './bot-lease.service';

/** Leases against the real Redis: one holder per bot, fencing, compare-and-renew, takeover vs handover. */
describe('BotLeaseService (Redis)', () => {
  const prefix = `bftlease${randomBytes(3).toString('hex')}`;
  const redis = new Redis(testRedisUrl());
  const config = (ttl: number) => Object.assign(new AppConfig(), { REDIS_PREFIX: prefix, BOT_LEASE_TTL_MS: ttl });
  const bots = Array.from({ length: 6 }, () => randomUUID());

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('gives each bot to one worker, up to the asked number, with a growing fence', async () => {
    const w1 = new BotLeaseService(redis, config(5_000));
    const w2 = new BotLeaseService(redis, config(5_000));
    const l1 = await w1.acquire(bots, 4);
    expect(l1.map((l) => l.botId)).toEqual(bots.slice(0, 4));
    const l2 = await w2.acquire(bots, 10);
    expect(l2.map((l) => l.botId)).toEqual(bots.slice(4));
    expect(await w2.unheld(bots)).toEqual([]);
    expect(l1.every((l) => !l.takeover && l.value.startsWith(w1.workerId))).toBe(true);
    // Handover: released leases are free again and the next holder is not a takeover; the fence grows.
    await w1.release([l1[0]]);
    const [again] = await w2.acquire([bots[0]], 1);
    expect(again.takeover).toBe(false);
    expect(again.fence).toBe(l1[0].fence + 1);
    // w1 cannot renew or release what is no longer its own.
    expect((await w1.renew(l1)).map((l) => l.botId)).toEqual([bots[0]]);
    await w1.release([l1[0]]);
    expect(await redis.get(w2.leaseKey(bots[0]))).toBe(again.value);
  });

  it('an expired lease is a takeover for the next worker and lost for the old one', async () => {
    const [bot] = [randomUUID()];
    const dying = new BotLeaseService(redis, config(300));
    const next = new BotLeaseService(redis, config(5_000));
    const [mine] = await dying.acquire([bot], 1);
    expect(await next.acquire([bot], 1)).toEqual([]);
    await new Promise((r) => setTimeout(r, 450));
    const [taken] = await next.acquire([bot], 1);
    expect(taken.takeover).toBe(true);
    expect(await dying.renew([mine])).toEqual([mine]);
  });

  it('counts live workers by heartbeat and forgets one that leaves', async () => {
    const p2 = `${prefix}hb`;
    const c = Object.assign(new AppConfig(), { REDIS_PREFIX: p2, BOT_LEASE_TTL_MS: 5_000 });
    const w1 = new BotLeaseService(redis, c);
    const w2 = new BotLeaseService(redis, c);
    await w1.heartbeat();
    expect(await w2.heartbeat()).toBe(2);
    await w2.leave();
    expect(await w1.heartbeat()).toBe(1);
  });
});
