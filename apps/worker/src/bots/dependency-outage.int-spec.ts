import request from 'supertest';
import {
  applyEnv,
  HOSTING_WORKER_ENV,
  TcpProxy,
  TelegramEmulator,
  TestBot,
  testRedisUrl,
  waitFor,
  WorkerWorld,
} from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

/**
 * The worker through an outage (issue 11 item 2): it talks to Redis and PostgreSQL through TCP proxies this test
 * pauses and resumes (the shared servers are never touched). While one is gone, /health/ready names it; once
 * it is back, the worker answers the bot's users again by itself — no restart, no crash loop.
 */
describe('worker with Redis or PostgreSQL not answering', () => {
  jest.setTimeout(120_000);

  let world: WorkerWorld;
  let telegram: TelegramEmulator;
  let bot: TestBot;
  let redisProxy: TcpProxy;
  let pgProxy: TcpProxy;
  let restore: () => void;
  let seq = 0;

  const from = () => ({ id: 941_000 + ++seq, first_name: 'User', language_code: 'en' });
  const answered = (chatId: number, timeoutMs: number) =>
    waitFor(() => telegram.getChatMessages(bot.telegram.id, chatId).some((m) => m.direction === 'bot'), timeoutMs, 100);
  const ready = () => request(world.worker.getHttpServer()).get('/health/ready').timeout(5_000);

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: { ...HOSTING_WORKER_ENV, DATABASE_QUERY_TIMEOUT_MS: '1000' },
    });
    telegram = world.telegram;
    bot = await world.ctx.newBot({ defaultLanguage: 'en' });
    redisProxy = await TcpProxy.forUrl(testRedisUrl()).start();
    pgProxy = await TcpProxy.forUrl(world.env.db.appUrl).start();
    restore = applyEnv({
      REDIS_URL: redisProxy.url(testRedisUrl()),
      DATABASE_URL: pgProxy.url(world.env.db.appUrl),
      DATABASE_PLATFORM_URL: pgProxy.url(world.env.db.platformUrl),
    });
    await world.startWorker(createWorkerApp);
    await telegram.waitForPolling(bot.telegram.id, 15_000);
    const first = from();
    telegram.sendText(bot.telegram.id, { from: first, text: '/start' });
    await answered(first.id, 15_000);
  });

  afterAll(async () => {
    redisProxy?.resume();
    pgProxy?.resume();
    await world?.close();
    restore?.();
    await redisProxy?.stop();
    await pgProxy?.stop();
  });

  it('Redis paused: /health/ready names redis within 2 s; resumed: the bot answers again', async () => {
    redisProxy.pause();
    const started = Date.now();
    const res = await ready();
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(res.status).toBe(503);
    expect(res.body.details.redis.status).toBe('down');
    expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|ECONN|timed out/);
    const user = from();
    telegram.sendText(bot.telegram.id, { from: user, text: '/start' });
    await new Promise((r) => setTimeout(r, 4_000));
    redisProxy.resume();
    await answered(user.id, 30_000);
    expect((await ready()).status).toBe(200);
  });

  it('PostgreSQL paused: /health/ready names postgres; resumed: the bot answers again', async () => {
    pgProxy.pause();
    const started = Date.now();
    const res = await ready();
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(res.status).toBe(503);
    expect(res.body.details.postgres.status).toBe('down');
    const user = from();
    telegram.sendText(bot.telegram.id, { from: user, text: '/start' });
    await new Promise((r) => setTimeout(r, 4_000));
    pgProxy.resume();
    await answered(user.id, 30_000);
    expect((await ready()).status).toBe(200);
  });
});
