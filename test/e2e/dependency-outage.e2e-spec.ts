import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { applyEnv, createTestEnv, TcpProxy, TestContext, TestEnv, testRedisUrl } from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';

/**
 * No request waits forever (issue 11 item 2): the API talks to Redis and PostgreSQL through TCP proxies this
 * test pauses (connections open, nothing answers — the hanging case) and resumes. The machine's shared servers
 * are never touched.
 */
describe('API with Redis or PostgreSQL not answering', () => {
  const BOUND_MS = 2_000;
  let env: TestEnv;
  let ctx: TestContext;
  let app: INestApplication;
  let restore: () => void;
  let redisProxy: TcpProxy;
  let pgProxy: TcpProxy;
  let botId: string;
  let auth: { Authorization: string };

  const http = () => request(app.getHttpServer());
  /** The answer and how long it took; a request still waiting after 5 s fails the test. */
  const timed = async (req: () => request.Test) => {
    const started = Date.now();
    const res = await req().timeout(5_000);
    return { res, ms: Date.now() - started };
  };

  beforeAll(async () => {
    env = await createTestEnv();
    ctx = await TestContext.create({ env });
    const bot = await ctx.newBot();
    botId = bot.id;
    auth = { Authorization: `Bearer ${bot.apiToken}` };
    redisProxy = await TcpProxy.forUrl(testRedisUrl()).start();
    pgProxy = await TcpProxy.forUrl(env.db.appUrl).start();
    restore = applyEnv({
      ...env.vars,
      REDIS_URL: redisProxy.url(testRedisUrl()),
      DATABASE_URL: pgProxy.url(env.db.appUrl),
      DATABASE_QUERY_TIMEOUT_MS: '1000',
    });
    app = await createApiApp();
    await app.init();
  });

  afterAll(async () => {
    redisProxy?.resume();
    pgProxy?.resume();
    await app?.close();
    restore?.();
    await ctx?.close();
    await redisProxy?.stop();
    await pgProxy?.stop();
    await env?.cleanup();
  });

  afterEach(() => {
    redisProxy.resume();
    pgProxy.resume();
  });

  it('Redis paused: an authenticated GET that needs only PostgreSQL is served within 2 s', async () => {
    await http().get(`/v1/bots/${botId}`).set(auth).expect(200);
    redisProxy.pause();
    const { res, ms } = await timed(() => http().get(`/v1/bots/${botId}`).set(auth));
    expect(ms).toBeLessThan(BOUND_MS);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(botId);
  });

  it('Redis paused: REST approve answers within 2 s (the job is relayed from the outbox later)', async () => {
    const review = await ctx.newReceiptToReview(botId);
    redisProxy.pause();
    const { res, ms } = await timed(() =>
      http().post(`/v1/bots/${botId}/card-payments/${review.paymentId}/approve`).set(auth),
    );
    expect(ms).toBeLessThan(BOUND_MS);
    expect(res.status).toBe(200);
    const platform = await env.db.platform();
    const [payment] = await platform.query(`SELECT status FROM card_to_card_payments WHERE id = $1`, [
      review.paymentId,
    ]);
    expect(payment.status).toBe('approved');
    // The approval's jobs are waiting in the outbox for the relay, not lost.
    const outbox = await platform.query(`SELECT count(*)::int n FROM job_outbox WHERE bot_id = $1 AND job_id LIKE $2`, [
      botId,
      `%${review.paymentId}%`,
    ]);
    expect(outbox[0].n).toBeGreaterThan(0);
  });

  it('Redis paused: REST reject answers within 2 s too', async () => {
    const review = await ctx.newReceiptToReview(botId);
    redisProxy.pause();
    const { res, ms } = await timed(() =>
      http()
        .post(`/v1/bots/${botId}/card-payments/${review.paymentId}/reject`)
        .set(auth)
        .send({ reason: 'Wrong amount' }),
    );
    expect(ms).toBeLessThan(BOUND_MS);
    expect(res.status).toBe(200);
    const [payment] = await (
      await env.db.platform()
    ).query(`SELECT status FROM card_to_card_payments WHERE id = $1`, [review.paymentId]);
    expect(payment.status).toBe('rejected');
  });

  it('PostgreSQL dropped: 503 DEPENDENCY_DOWN within 2 s; back: served again', async () => {
    pgProxy.drop();
    const { res, ms } = await timed(() => http().get(`/v1/bots/${botId}/plans`).set(auth));
    expect(ms).toBeLessThan(BOUND_MS);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('DEPENDENCY_DOWN');
    expect(res.headers['retry-after']).toBeDefined();
    pgProxy.resume();
    await http().get(`/v1/bots/${botId}/plans`).set(auth).expect(200);
  });

  it('PostgreSQL paused: 503 DEPENDENCY_DOWN with Retry-After within 2 s; resumed: served again', async () => {
    pgProxy.pause();
    const { res, ms } = await timed(() => http().get(`/v1/bots/${botId}/plans`).set(auth));
    expect(ms).toBeLessThan(BOUND_MS);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('DEPENDENCY_DOWN');
    expect(res.headers['retry-after']).toBeDefined();
    pgProxy.resume();
    await http().get(`/v1/bots/${botId}/plans`).set(auth).expect(200);
  });

  it('Redis dropped, then back: everything works again', async () => {
    redisProxy.drop();
    const { ms } = await timed(() => http().get(`/v1/bots/${botId}`).set(auth));
    expect(ms).toBeLessThan(BOUND_MS);
    redisProxy.resume();
    await new Promise((r) => setTimeout(r, 2_500));
    await http().get(`/v1/bots/${botId}`).set(auth).expect(200);
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body.details.redis.status).toBe('up');
  });

  // Last: it uses up this address's failed-credential allowance.
  it('Redis paused: wrong tokens are still refused, and past the limit even the right one (no unbounded guessing)', async () => {
    redisProxy.pause();
    const started = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const r = await http()
        .get(`/v1/bots/${botId}`)
        .set({ Authorization: `Bearer bft_wrong${i}` })
        .timeout(5_000);
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    // 22 requests, each bounded.
    expect(Date.now() - started).toBeLessThan(22 * BOUND_MS);
  });
});

/**
 * The same outage with the DEFAULT database timeouts (query timeout 16 s): the circuit breaker, not a short
 * query timeout, answers 503 within a second or two (README "No request waits forever").
 */
describe('API with PostgreSQL not answering, default timeouts', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let app: INestApplication;
  let restore: () => void;
  let pgProxy: TcpProxy;
  let botId: string;
  let auth: { Authorization: string };

  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    env = await createTestEnv();
    ctx = await TestContext.create({ env });
    const bot = await ctx.newBot();
    botId = bot.id;
    auth = { Authorization: `Bearer ${bot.apiToken}` };
    pgProxy = await TcpProxy.forUrl(env.db.appUrl).start();
    restore = applyEnv({ ...env.vars, DATABASE_URL: pgProxy.url(env.db.appUrl) });
    app = await createApiApp();
    await app.init();
  });

  afterAll(async () => {
    pgProxy?.resume();
    await app?.close();
    restore?.();
    await ctx?.close();
    await pgProxy?.stop();
    await env?.cleanup();
  });

  it('PostgreSQL paused: 503 DEPENDENCY_DOWN with Retry-After within 2.5 s; resumed: served again', async () => {
    await http().get(`/v1/bots/${botId}/plans`).set(auth).expect(200);
    pgProxy.pause();
    const started = Date.now();
    const res = await http().get(`/v1/bots/${botId}/plans`).set(auth).timeout(5_000);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('DEPENDENCY_DOWN');
    expect(res.headers['retry-after']).toBeDefined();
    // Open circuit: the next request waits for one probe at most.
    const next = Date.now();
    expect((await http().get(`/v1/bots/${botId}/plans`).set(auth).timeout(5_000)).status).toBe(503);
    expect(Date.now() - next).toBeLessThan(1_500);

    pgProxy.resume();
    await http().get(`/v1/bots/${botId}/plans`).set(auth).expect(200);
  });
});
