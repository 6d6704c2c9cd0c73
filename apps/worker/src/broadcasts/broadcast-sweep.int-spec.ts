import { Actors } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BroadcastRunsService, BroadcastsService } from '@botfleet/broadcasts';
import { JobName, jobIdFor, QueueName } from '@botfleet/jobs';
import { PlatformDb, StalledBroadcasts } from '@botfleet/platform';
import { TestBot, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';
import { BroadcastSweepHandler } from './broadcast-sweep.handler';

const LOCK_MS = 1_500;
const USERS = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A running broadcast whose job chain is lost (its job deleted from the queue: a worker died with it, Redis was
 * flushed) is found by the sweep (a job scheduler every BROADCAST_LOCK_MS) and finished, each user once; a
 * chain whose job still waits is left alone. Real PostgreSQL, Redis, worker and Telegram emulator.
 */
describe('broadcast sweep (worker)', () => {
  jest.setTimeout(90_000);
  let world: WorkerWorld;
  let bot: TestBot;
  let userIds: number[];
  let broadcastId: string;
  const marker = 'SWEEP-MARK';

  beforeAll(async () => {
    world = await WorkerWorld.start({ env: { BROADCAST_LOCK_MS: String(LOCK_MS) } });
    const { ctx } = world;
    bot = await ctx.newBot();
    userIds = [];
    for (let i = 0; i < USERS; i++) userIds.push((await ctx.newUser(bot.id)).telegramId);
    // A draft, previewed (as the worker confirms it) and started: its first chunk job is queued.
    const service = ctx.get(BroadcastsService);
    const runs = ctx.get(BroadcastRunsService);
    const actor = Actors.tenantApi(bot.id);
    const v = await service.create(bot.id, { text: `<b>${marker}</b> news`, audience: { segment: 'all' } }, actor);
    expect(await runs.previewed(bot.id, v.broadcast.id, 0)).toBe(true);
    broadcastId = (await service.start(bot.id, v.broadcast.id, actor)).broadcast.id;
  });
  afterAll(() => world?.close());

  const received = () =>
    userIds.map(
      (chatId) =>
        world.telegram
          .getChatMessages(bot.telegram.id, chatId)
          .filter((m) => m.direction === 'bot' && (m.text ?? '').includes(marker)).length,
    );

  it('leaves a chain whose job still waits alone, and re-queues a lost one once', async () => {
    const { ctx } = world;
    const sweeper = new BroadcastSweepHandler(
      new StalledBroadcasts(ctx.get(PlatformDb)),
      ctx.get(BroadcastRunsService),
      ctx.get(AppConfig),
    );
    const queue = world.queue(QueueName.Broadcasts);
    const first = jobIdFor(JobName.SendBroadcast, [broadcastId, 0]);
    expect(await queue.getJobState(first)).toBe('waiting');
    // Quiet for longer than the lock, but its job is there: nothing to do.
    await sleep(LOCK_MS + 200);
    expect(await sweeper.sweep()).toEqual({ resumed: 0 });
    // The job is gone: the chain moves on under the next deterministic id, once however often the sweep runs.
    await queue.remove(first);
    expect(await queue.getJobState(first)).toBe('unknown');
    expect(await sweeper.sweep()).toEqual({ resumed: 1 });
    const second = jobIdFor(JobName.SendBroadcast, [broadcastId, 1]);
    expect(await queue.getJobState(second)).toBe('waiting');
    await sleep(LOCK_MS + 200);
    expect(await sweeper.sweep()).toEqual({ resumed: 0 });
    // Lost again (Redis flushed): no job of this broadcast is left in the queue.
    await queue.remove(second);
    const left = await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    expect(left.filter((j) => j.name === JobName.SendBroadcast)).toEqual([]);
    expect(received().every((n) => n === 0)).toBe(true);
  });

  it('finishes a broadcast whose job was deleted from the queue, each user once', async () => {
    await world.startWorker(createWorkerApp);
    const runs = world.ctx.get(BroadcastRunsService);
    await waitFor(async () => (await runs.find(bot.id, broadcastId))?.status === 'completed', 60_000, 200);
    await waitFor(() => received().every((n) => n === 1), 10_000);
    expect(received()).toEqual(userIds.map(() => 1));
    const b = await runs.find(bot.id, broadcastId);
    expect(b).toMatchObject({ total: USERS, sent: USERS, failed: 0, skipped: 0 });
  });
});
