import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { boundedRedis } from '@botfleet/common';

/** One fixed window per key: count the hit, start the window on the first, return hits and the window's rest (ms). */
const HIT = `
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if hits == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {hits, ttl}
`;

/** How long a request waits for the counter before it is let through uncounted. */
const REDIS_WAIT_MS = 1_000;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * `@nestjs/throttler` storage on the shared Redis (every API process counts together), keys under REDIS_PREFIX.
 * A fixed window of `ttl` per key; past `limit` the caller is blocked until the window ends. When Redis does
 * not answer in time the request is served uncounted: a rate limit must not turn a Redis hiccup into an outage.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    try {
      // Bounded, and skipped at once for a moment after Redis gave no answer (the limiter may have just waited).
      const [hits, restMs] = (await boundedRedis(this.redis, REDIS_WAIT_MS, () =>
        this.redis.eval(HIT, 1, `${this.prefix}:rate:${key}`, String(ttl)),
      )) as [number, number];
      const seconds = Math.max(1, Math.ceil(restMs / 1000));
      const isBlocked = hits > limit;
      return { totalHits: hits, timeToExpire: seconds, isBlocked, timeToBlockExpire: isBlocked ? seconds : 0 };
    } catch (e) {
      this.logger.warn(`Rate limit not counted (Redis: ${e instanceof Error ? e.message : 'error'})`);
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
