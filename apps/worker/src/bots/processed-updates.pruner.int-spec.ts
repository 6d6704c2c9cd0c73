import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppConfig } from '@botfleet/config';
import { PlatformDb, ProcessedUpdatesStore } from '@botfleet/platform';
import { createTestDatabase, insertBot, TestDatabase, testRedisUrl } from '@botfleet/testing';
import { ProcessedUpdatesPruner } from './processed-updates.pruner';

describe('ProcessedUpdatesPruner (PostgreSQL, Redis)', () => {
  let db: TestDatabase;
  let platform: DataSource;
  const redis = new Redis(testRedisUrl());
  const prefix = `bftprune${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    platform = await db.platform();
  });

  afterAll(async () => {
    await redis.del(`${prefix}:prune-processed-updates`);
    redis.disconnect();
    await db?.drop();
  });

  it('forgets updates older than 48 h, keeps newer ones, and runs once per hour across workers', async () => {
    const bot = await insertBot(platform);
    await platform.query(
      `INSERT INTO processed_updates (bot_id, update_id, processed_at)
       SELECT $1, g, now() - CASE WHEN g <= 30 THEN interval '49 hours' ELSE interval '47 hours' END
         FROM generate_series(1, 50) g`,
      [bot],
    );
    const config = Object.assign(new AppConfig(), { REDIS_PREFIX: prefix });
    const pruner = new ProcessedUpdatesPruner(new ProcessedUpdatesStore(new PlatformDb(platform)), config, redis);
    expect(await pruner.prune()).toBe(30);
    const left = await platform.query(`SELECT min(update_id)::int AS min, count(*)::int AS n FROM processed_updates`);
    expect(left[0]).toEqual({ min: 31, n: 20 });
    // Another worker in the same hour does nothing.
    expect(
      await new ProcessedUpdatesPruner(new ProcessedUpdatesStore(new PlatformDb(platform)), config, redis).prune(0),
    ).toBe(0);
  });
});
