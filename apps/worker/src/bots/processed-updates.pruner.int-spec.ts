import { DataSource } from 'typeorm';
import { PlatformDb, ProcessedUpdatesStore } from '@botfleet/platform';
import { TestContext } from '@botfleet/testing';
import { ProcessedUpdatesPruner } from './processed-updates.pruner';

describe('ProcessedUpdatesPruner (PostgreSQL)', () => {
  let ctx: TestContext;
  let platform: DataSource;

  beforeAll(async () => {
    ctx = await TestContext.create();
    platform = await ctx.env.db.platform();
  });

  afterAll(async () => {
    await ctx?.close();
  });

  // One run per hour across workers is the job scheduler's part (apps/worker/src/jobs/job-runner.int-spec.ts).
  it('forgets updates older than 48 h and keeps newer ones', async () => {
    const { id: bot } = await ctx.newBot();
    // Updates claimed two days ago: only the age is arranged by hand.
    await platform.query(
      `INSERT INTO processed_updates (bot_id, telegram_bot_id, update_id, processed_at)
       SELECT $1, 42, g, now() - CASE WHEN g <= 30 THEN interval '49 hours' ELSE interval '47 hours' END
         FROM generate_series(1, 50) g`,
      [bot],
    );
    const pruner = new ProcessedUpdatesPruner(new ProcessedUpdatesStore(new PlatformDb(platform)));
    expect(await pruner.run()).toBe(30);
    const left = await platform.query(`SELECT min(update_id)::int AS min, count(*)::int AS n FROM processed_updates`);
    expect(left[0]).toEqual({ min: 31, n: 20 });
    // The next run has nothing old left to forget.
    expect(await pruner.run()).toBe(0);
  });
});
