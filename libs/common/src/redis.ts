import Redis, { RedisOptions } from 'ioredis';
import { DependencyTimeoutError, isTransientError, withDependencyTimeout } from './transient-errors';

/**
 * A Redis connection that reconnects by itself (RELIABILITY.md 13). `maxRetriesPerRequest: null`
 * is what BullMQ requires for its blocking connections.
 */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...opts,
  });
}

/** After a command on a connection went unanswered, bounded calls on it fail at once for this long. */
const REDIS_REST_MS = 2_000;
const restingUntil = new WeakMap<Redis, number>();

/**
 * `work` on `redis`, waiting at most `ms`; then a DependencyTimeoutError. After a timeout or a connection error
 * the connection is left alone for 2 s (further calls fail at once), so a request that makes several optional
 * Redis calls (limiter, rate limit) pays the wait once, not once per call.
 */
export async function boundedRedis<T>(redis: Redis, ms: number, work: () => Promise<T>): Promise<T> {
  if ((restingUntil.get(redis) ?? 0) > Date.now()) throw new DependencyTimeoutError('redis', ms);
  try {
    return await withDependencyTimeout('redis', ms, work());
  } catch (e) {
    if (isTransientError(e)) restingUntil.set(redis, Date.now() + REDIS_REST_MS);
    throw e;
  }
}
