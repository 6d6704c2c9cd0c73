import { Actors } from '@botfleet/common';
import { TenantDb } from '@botfleet/dal';
import { TestBot, TestContext } from '@botfleet/testing';
import { BroadcastRunsService } from './broadcast-runs.service';
import { BroadcastDraftInput, BroadcastsService } from './broadcasts.service';

/**
 * A broadcast made from a composed message of the bot's `/broadcast` flow is made once per message key, by the
 * insert itself (a unique key per bot): concurrent taps make one, and an attempt that never commits leaves the key
 * free. Real PostgreSQL and Redis.
 */
describe('BroadcastsService.createOnce (real PostgreSQL, Redis)', () => {
  let ctx: TestContext;
  let service: BroadcastsService;
  let runs: BroadcastRunsService;
  let db: TenantDb;
  let bot: TestBot;

  const input = (text: string): BroadcastDraftInput => ({ text, audience: { segment: 'all' } });

  beforeAll(async () => {
    ctx = await TestContext.create({ jobs: 'detached' });
    service = ctx.get(BroadcastsService);
    runs = ctx.get(BroadcastRunsService);
    db = ctx.get(TenantDb);
    bot = await ctx.newBot();
  });
  afterAll(() => ctx?.close());

  const withText = async (text: string) => (await service.list(bot.id, 1, 100)).items.filter((b) => b.text === text);

  it('two concurrent taps make exactly one broadcast, and both get it', async () => {
    const actor = Actors.master();
    const taps = await Promise.all(
      [1, 2, 3].map(() => service.createOnce(bot.id, 'tg:1:concurrent', input('CONCURRENT'), actor)),
    );
    const made = await withText('CONCURRENT');
    expect(made).toHaveLength(1);
    expect(taps.map((t) => t.view.broadcast.id)).toEqual([made[0].id, made[0].id, made[0].id]);
    expect(taps.filter((t) => t.created)).toHaveLength(1);
    // Another composed message (another key) is another broadcast; an API draft has no key at all.
    await service.createOnce(bot.id, 'tg:1:other', input('CONCURRENT'), actor);
    await service.create(bot.id, input('CONCURRENT'), actor);
    expect(await withText('CONCURRENT')).toHaveLength(3);
  });

  it('an insert that fails before its commit blocks nothing: the tap waiting on it, and a later one, create it', async () => {
    const actor = Actors.master();
    let fail!: () => void;
    const failed = new Promise<void>((resolve) => (fail = resolve));
    let inserted!: () => void;
    const holding = new Promise<void>((resolve) => (inserted = resolve));
    // The first attempt inserts, then dies before its commit (its transaction rolls back).
    const first = db.run(bot.id, async () => {
      await service.createOnce(bot.id, 'tg:1:crash', input('CRASHED FIRST'), actor);
      inserted();
      await failed;
      throw new Error('the worker died before the commit');
    });
    await holding;
    // A second tap meanwhile waits on the uncommitted key, then finds it free and makes the broadcast.
    const second = service.createOnce(bot.id, 'tg:1:crash', input('CRASHED FIRST'), actor);
    await new Promise((r) => setTimeout(r, 200));
    fail();
    await expect(first).rejects.toThrow('the worker died before the commit');
    const made = await second;
    expect(made.created).toBe(true);
    expect(await withText('CRASHED FIRST')).toHaveLength(1);
    expect((await runs.find(bot.id, made.view.broadcast.id))?.status).toBe('draft');

    // A failed attempt alone (nothing waiting on it) leaves the key free for a later tap as well.
    await expect(
      db.run(bot.id, async () => {
        await service.createOnce(bot.id, 'tg:1:later', input('LATER'), actor);
        throw new Error('failed after the insert');
      }),
    ).rejects.toThrow('failed after the insert');
    expect(await withText('LATER')).toHaveLength(0);
    const later = await service.createOnce(bot.id, 'tg:1:later', input('LATER'), actor);
    expect(later.created).toBe(true);
    expect(await withText('LATER')).toHaveLength(1);
  });
});
