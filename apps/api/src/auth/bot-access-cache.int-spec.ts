import { Test, TestingModule } from '@nestjs/testing';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS, RedisModule } from '@botfleet/common';
import { AppConfig, ConfigModule } from '@botfleet/config';
import { sha256Hex } from '@botfleet/secrets';
import { BotEventsPublisher, publishBotEvent } from '@botfleet/bots';
import { PlatformDbModule } from '@botfleet/platform';
import { applyEnv, createTestEnv, TestContext, TestEnv, waitFor } from '@botfleet/testing';
import { BotAccessCache } from './bot-access-cache';

describe('BotAccessCache (real PostgreSQL and Redis)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let restore: () => void;
  let mod: TestingModule;
  let platform: DataSource;
  let cache: BotAccessCache;
  let redis: Redis;
  let prefix: string;

  const setToken = (botId: string, token: string) =>
    platform.query(`UPDATE bots SET api_token_hash = $2 WHERE id = $1`, [botId, sha256Hex(token)]);
  const setStatus = (botId: string, status: string) =>
    platform.query(`UPDATE bots SET status = $2 WHERE id = $1`, [botId, status]);

  beforeAll(async () => {
    env = await createTestEnv();
    restore = applyEnv(env.vars);
    mod = await Test.createTestingModule({
      imports: [ConfigModule, RedisModule, PlatformDbModule],
      providers: [BotEventsPublisher, BotAccessCache],
    }).compile();
    await mod.init();
    platform = await env.db.platform();
    ctx = await TestContext.create({ env });
    cache = mod.get(BotAccessCache);
    redis = mod.get(REDIS);
    prefix = mod.get(AppConfig).REDIS_PREFIX;
    // The subscription is made in the background (the API boots even with Redis down).
    await waitFor(() => cache.isLive, 5_000, 10);
  });
  afterAll(async () => {
    await ctx?.close();
    await mod?.close();
    restore?.();
    await env?.cleanup();
  });

  it('answers a verified token from memory until a bot event from any process drops it', async () => {
    const botId = (await ctx.newBot()).id;
    await setToken(botId, 'bft_first');
    expect(await cache.tokenOwner(sha256Hex('bft_first'))).toEqual({ botId, status: 'active' });

    // Changed behind the cache's back (no event): the remembered answer stands — it is a cache.
    await setToken(botId, 'bft_second');
    expect(await cache.tokenOwner(sha256Hex('bft_first'))).toEqual({ botId, status: 'active' });

    // Another process publishes the change: this one forgets the bot within the pub/sub delay.
    await publishBotEvent(redis, prefix, botId, 'api_token_rotated');
    await waitFor(async () => (await cache.tokenOwner(sha256Hex('bft_first'))) === null, 2_000, 10);
    expect(await cache.tokenOwner(sha256Hex('bft_second'))).toEqual({ botId, status: 'active' });
  });

  it('forgets a bot at once in the process that publishes its change (no pub/sub wait)', async () => {
    const botId = (await ctx.newBot()).id;
    await setToken(botId, 'bft_third');
    expect(await cache.status(botId)).toBe('active');
    expect((await cache.tokenOwner(sha256Hex('bft_third')))?.status).toBe('active');
    await setStatus(botId, 'suspended');
    await mod.get(BotEventsPublisher).publish(botId, 'suspended');
    // No waiting: the publisher invalidated this process's cache before publishing.
    expect(await cache.status(botId)).toBe('suspended');
    expect(await cache.tokenOwner(sha256Hex('bft_third'))).toEqual({ botId, status: 'suspended' });
  });

  it('keeps webhook salts and statuses per bot, dropping only the bot that changed', async () => {
    const a = (await ctx.newBot()).id;
    const b = (await ctx.newBot()).id;
    const infoA = await cache.webhookInfo(a);
    const infoB = await cache.webhookInfo(b);
    expect(infoA?.status).toBe('active');
    await setStatus(a, 'paused');
    await setStatus(b, 'paused');
    cache.invalidate(a);
    expect(await cache.webhookInfo(a)).toEqual({ ...infoA, status: 'paused' });
    expect(await cache.webhookInfo(b)).toEqual(infoB);
  });

  it('never remembers unknown tokens or bots', async () => {
    expect(await cache.tokenOwner(sha256Hex('bft_nobody'))).toBeNull();
    const botId = (await ctx.newBot()).id;
    await setToken(botId, 'bft_nobody');
    expect(await cache.tokenOwner(sha256Hex('bft_nobody'))).toEqual({ botId, status: 'active' });
    expect(await cache.status('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('answers from the database only while its subscription is down', async () => {
    const botId = (await ctx.newBot()).id;
    await setToken(botId, 'bft_fourth');
    expect(await cache.status(botId)).toBe('active');
    await cache.onModuleDestroy();
    expect(cache.isLive).toBe(false);
    await setStatus(botId, 'suspended');
    // Without a live subscription, nothing is answered from memory: no event can be missed.
    expect(await cache.status(botId)).toBe('suspended');
  });
});
