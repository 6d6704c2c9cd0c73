import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { createTestDatabase, TestDatabase } from '../db/test-database';

export interface TestEnv {
  db: TestDatabase;
  /** Environment for an app process (or for process.env when the app runs in-process). */
  vars: Record<string, string>;
  masterToken: string;
  redisPrefix: string;
  /** Removes the database and every Redis key of this environment. */
  cleanup(): Promise<void>;
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
}

/**
 * A complete, isolated environment for one test file: a fresh database, a Redis key prefix
 * of its own, fresh secrets. `overrides` set TELEGRAM_API_ROOT (an emulator), BOT_MODE, ports...
 */
export async function createTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const db = await createTestDatabase();
  // A hash tag, like production's default `{bf}`: every test runs the cluster-safe key layout.
  const redisPrefix = `{bft${randomBytes(4).toString('hex')}}`;
  const masterToken = `bfm_${randomBytes(32).toString('base64url')}`;
  const vars: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.appUrl,
    DATABASE_OWNER_URL: db.ownerUrl,
    DATABASE_PLATFORM_URL: db.platformUrl,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: redisPrefix,
    ENCRYPTION_KEY: `1:${randomBytes(32).toString('base64')}`,
    TOKEN_HASH_KEY: randomBytes(32).toString('base64'),
    MASTER_API_TOKEN: masterToken,
    API_PORT: '0',
    WORKER_HTTP_PORT: '0',
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
    // Suites stand in for many clients behind a local proxy (X-Forwarded-For from 127.0.0.1).
    TRUST_PROXY: 'loopback',
    // Suites make thousands of requests a minute with one token; the per-token limit has its own tests.
    API_RATE_LIMIT_PER_MINUTE: '0',
    ...overrides,
  };
  return {
    db,
    vars,
    masterToken,
    redisPrefix,
    async cleanup() {
      await db.drop();
      const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** Applies a test environment to process.env (for apps started in-process); returns a restore function. */
export function applyEnv(vars: Record<string, string>): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
