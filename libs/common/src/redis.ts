import Redis, { RedisOptions } from 'ioredis';

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
