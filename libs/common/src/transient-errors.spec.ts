import type Redis from 'ioredis';
import { boundedRedis } from './redis';
import { DependencyTimeoutError, isTransientError, withDependencyTimeout } from './transient-errors';

describe('bounded waits on dependencies', () => {
  it('timeouts of the drivers and our own are transient (503 DEPENDENCY_DOWN, retried updates)', () => {
    expect(isTransientError(new Error('Query read timeout'))).toBe(true);
    expect(isTransientError(new Error('Command timed out'))).toBe(true);
    expect(isTransientError(new Error('Reached the max retries per request limit (which is 1). Refer to ...'))).toBe(
      true,
    );
    expect(isTransientError(new DependencyTimeoutError('queue', 1000))).toBe(true);
    expect(isTransientError(new Error('duplicate key value violates unique constraint'))).toBe(false);
  });

  it('withDependencyTimeout gives the answer, or DependencyTimeoutError once the time is up', async () => {
    await expect(withDependencyTimeout('redis', 100, Promise.resolve(7))).resolves.toBe(7);
    const never = new Promise<never>(() => undefined);
    const started = Date.now();
    await expect(withDependencyTimeout('postgres', 50, never)).rejects.toBeInstanceOf(DependencyTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('boundedRedis leaves a connection that gave no answer alone for a moment (later calls fail at once)', async () => {
    const redis = {} as Redis;
    let calls = 0;
    const hang = () => {
      calls++;
      return new Promise<never>(() => undefined);
    };
    await expect(boundedRedis(redis, 30, hang)).rejects.toBeInstanceOf(DependencyTimeoutError);
    const started = Date.now();
    await expect(boundedRedis(redis, 1_000, hang)).rejects.toBeInstanceOf(DependencyTimeoutError);
    expect(Date.now() - started).toBeLessThan(100);
    expect(calls).toBe(1);
    // Another connection is not affected.
    await expect(boundedRedis({} as Redis, 100, () => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});
