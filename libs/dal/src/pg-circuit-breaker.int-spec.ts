import { DataSource } from 'typeorm';
import { DependencyTimeoutError } from '@botfleet/common';
import { TcpProxy, TestContext } from '@botfleet/testing';
import { createDataSource } from './data-source';

/**
 * The PostgreSQL circuit breaker (README "No request waits forever") with the default settings of the app's pools
 * (query timeout 16 s): a slow query on a healthy database is never cut; a database that does not answer at all
 * fails what waits on it within about two seconds and what comes next within one probe; the first answer closes it again.
 */
describe('PostgreSQL circuit breaker (real PostgreSQL behind a TCP proxy)', () => {
  let ctx: TestContext;
  let proxy: TcpProxy;
  let ds: DataSource;

  beforeAll(async () => {
    ctx = await TestContext.create();
    proxy = await TcpProxy.forUrl(ctx.env.db.appUrl).start();
    ds = await createDataSource({ url: proxy.url(ctx.env.db.appUrl), poolSize: 3, circuitBreaker: true }).initialize();
  });

  afterAll(async () => {
    proxy?.resume();
    if (ds?.isInitialized) await ds.destroy();
    await proxy?.stop();
    await ctx?.close();
  });

  it('a slow query on a healthy database completes (the probe answers, nothing is cut)', async () => {
    const started = Date.now();
    await expect(ds.query('SELECT pg_sleep(3)')).resolves.toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    await expect(ds.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it('paused: the waiting query is given up within 2.5 s, the next after at most one probe; resumed: served again', async () => {
    await ds.query('SELECT 1');
    proxy.pause();
    const started = Date.now();
    const err = await ds.query('SELECT 1').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect((err as { driverError?: unknown }).driverError).toBeInstanceOf(DependencyTimeoutError);

    const next = Date.now();
    await expect(ds.query('SELECT 1')).rejects.toBeDefined();
    expect(Date.now() - next).toBeLessThan(1_500);

    // The first query after the database came back waits for a probe that answers, and is served.
    proxy.resume();
    await expect(ds.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
});
