import { Queue } from 'bullmq';
import { Actors } from '@botfleet/common';
import { JobName, QueueName } from '@botfleet/jobs';
import { TestContext, testRedisUrl } from '@botfleet/testing';
import { BotAdminService } from './bot-admin.service';

/**
 * Suspending or resuming a bot tells its owner whoever did it (REST or the master bot): the notice is written with
 * the change (job outbox) and queued once per change.
 */
describe('suspend / resume tell the owner (PostgreSQL, Redis)', () => {
  let ctx: TestContext;
  let queue: Queue;

  beforeAll(async () => {
    ctx = await TestContext.create();
    queue = new Queue(QueueName.Notifications, {
      connection: { url: testRedisUrl(), maxRetriesPerRequest: null },
      prefix: `${ctx.env.redisPrefix}:q`,
    });
  });
  afterAll(async () => {
    await queue?.close();
    await ctx?.close();
  });

  const ownerNotices = async (botId: string) =>
    (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']))
      .filter((j) => j.name === JobName.NotifyOwner && j.data.botId === botId)
      .map((j) => ({ kind: j.data.kind as string, reason: (j.data.data?.reason as string | undefined) ?? null }));

  it('one notice per change, with the reason; a second suspend changes nothing and tells no one again', async () => {
    const bot = await ctx.newBot();
    const admin = ctx.get(BotAdminService);
    await admin.suspend(bot.id, Actors.master(), 'unpaid invoice');
    await admin.suspend(bot.id, Actors.master(), 'again');
    expect(await ownerNotices(bot.id)).toEqual([{ kind: 'suspended', reason: 'unpaid invoice' }]);
    await admin.resume(bot.id, Actors.master());
    expect((await ownerNotices(bot.id)).map((n) => n.kind).sort()).toEqual(['resumed', 'suspended']);
    // Nothing is left in the outbox: each notice was queued after its commit.
    const left = await ctx.env.db.platform().then(async (ds) => {
      const rows = await ds.query(`SELECT job_id FROM job_outbox WHERE bot_id = $1`, [bot.id]);
      await ds.destroy();
      return rows as unknown[];
    });
    expect(left).toEqual([]);
  });
});
