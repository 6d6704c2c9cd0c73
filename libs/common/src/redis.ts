import Redis, { Cluster, RedisOptions } from 'ioredis';
import { DependencyTimeoutError, isTransientError, withDependencyTimeout } from './transient-errors';

/**
 * A Redis connection that reconnects by itself (RELIABILITY.md 13). `maxRetriesPerRequest: null`
 * is what BullMQ requires for its blocking connections.
 */
export function createRedis(
  url: string,
  opts: RedisOptions = {},
  clusterNodes: readonly { host: string; port: number }[] = [],
): Redis {
  const base: RedisOptions = {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...opts,
  };
  if (!clusterNodes.length) return new Redis(url, base);
  // A Redis Cluster (REDIS_CLUSTER_NODES): REDIS_URL only carries the credentials and TLS. ioredis' Cluster
  // answers the same commands as Redis; every multi-key command and BullMQ script of ours stays in one slot
  // because the key prefix is a hash tag (`{bf}`, required by the config in cluster mode), so the rest of
  // the code keeps its `Redis` type.
  const u = new URL(url);
  const redisOptions: RedisOptions = {
    ...base,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
  const cluster = new Cluster([...clusterNodes], {
    redisOptions,
    enableReadyCheck: true,
    clusterRetryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  return cluster as unknown as Redis;
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
