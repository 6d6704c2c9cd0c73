import { Test, TestingModule } from '@nestjs/testing';
import Redis from 'ioredis';
import { ErrorCode, REDIS, RedisModule } from '@botfleet/common';
import { AppConfig, ConfigModule } from '@botfleet/config';
import { applyEnv, createTestEnv, TestEnv } from '@botfleet/testing';
import { AUTH_FAILURE_LIMIT, AuthFailureLimiter, CLEAN_MEMO_MS } from './auth-failure-limiter';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The failed-authentication limit on the real Redis, as two API processes (two limiters, one Redis) see it. */
describe('AuthFailureLimiter (real Redis)', () => {
  let env: TestEnv;
  let restore: () => void;
  let mod: TestingModule;
  let redis: Redis;
  let here: AuthFailureLimiter;
  let there: AuthFailureLimiter;
  let seq = 0;
  const address = () => `10.99.0.${++seq}`;

  beforeAll(async () => {
    env = await createTestEnv();
    restore = applyEnv(env.vars);
    mod = await Test.createTestingModule({ imports: [ConfigModule, RedisModule] }).compile();
    await mod.init();
    redis = mod.get(REDIS);
    here = new AuthFailureLimiter(redis, mod.get(AppConfig));
    there = new AuthFailureLimiter(redis, mod.get(AppConfig));
  });
  afterAll(async () => {
    await mod?.close();
    restore?.();
    await env?.cleanup();
  });

  const refused = (limiter: AuthFailureLimiter, from: string) =>
    limiter.assertAllowed(from).then(
      () => false,
      (e: { code?: string }) => e.code === ErrorCode.RATE_LIMITED,
    );

  it('an address without failures is asked of Redis once, not on every request', async () => {
    const from = address();
    const get = jest.spyOn(redis, 'get');
    try {
      for (let i = 0; i < 50; i++) await here.assertAllowed(from);
      expect(get.mock.calls.filter(([key]) => String(key).endsWith(from))).toHaveLength(1);
    } finally {
      get.mockRestore();
    }
  });

  it("this process's own failures count at once, past a clean answer: the 21st try is refused", async () => {
    const from = address();
    await here.assertAllowed(from);
    for (let i = 0; i < AUTH_FAILURE_LIMIT; i++) await here.recordFailure(from);
    expect(await refused(here, from)).toBe(true);
  });

  it("another process's failures are seen here within the memo's time, then every try is refused", async () => {
    const from = address();
    await here.assertAllowed(from);
    for (let i = 0; i < AUTH_FAILURE_LIMIT; i++) await there.recordFailure(from);
    expect(await refused(there, from)).toBe(true);
    await sleep(CLEAN_MEMO_MS + 50);
    expect(await refused(here, from)).toBe(true);
    expect(await refused(here, from)).toBe(true);
  });
});
