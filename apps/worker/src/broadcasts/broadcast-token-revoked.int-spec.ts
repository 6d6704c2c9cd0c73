import { Actors } from '@botfleet/common';
import { BroadcastRunsService, BroadcastsService } from '@botfleet/broadcasts';
import { JOB_QUEUE, JobName } from '@botfleet/jobs';
import { TestBot, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

const USERS = 40;
const IN_FLIGHT = 5;
/** Every broadcast message is held this long by the emulator, so waves are still coming when the token dies. */
const SEND_DELAY_MS = 150;
/** The master bot, through which a bot's owner hears what the bot itself can no longer say. */
const MASTER_TOKEN = `7900000001:AA${'m'.repeat(33)}`;

/**
 * The bot's token is revoked in @BotFather while its broadcast is being sent: from then on Telegram answers 401,
 * so nothing more reaches anyone. The broadcast ends `failed` saying why, and its deliveries say exactly what
 * happened: `sent` for every message Telegram took (the emulator holds exactly those), the rest not sent (`failed`
 * or `skipped`), none `interrupted` — a 401 is a certain "not sent", never an unknown. The bot cannot post the
 * end to its admins any more, so its owner gets it through the master bot — once, however many runs of the chunk
 * end it. Real PostgreSQL, Redis, worker and Telegram emulator.
 */
describe('broadcast whose bot token is revoked mid-run (worker)', () => {
  jest.setTimeout(90_000);
  let world: WorkerWorld;
  let bot: TestBot;
  let chatIds: number[];
  /** The broadcast the first test sends and ends. */
  let id: string;
  const marker = 'REVOKED-MARK';

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: {
        BROADCAST_SENDS_IN_FLIGHT: String(IN_FLIGHT),
        BROADCAST_CLAIM_BATCH: '10',
        MASTER_BOT_TOKEN: MASTER_TOKEN,
      },
    });
    world.telegram.createBot({ token: MASTER_TOKEN });
    const { ctx } = world;
    bot = await ctx.newBot();
    chatIds = [];
    for (let i = 0; i < USERS; i++) chatIds.push((await ctx.newUser(bot.id)).telegramId);
    world.telegram.setFaults(bot.telegram.id, { delay: { ms: SEND_DELAY_MS, methods: ['sendMessage'] } });
  });
  afterAll(() => world?.close());

  /** What the master bot said to the bot's owner. */
  const fromMaster = () =>
    world.telegram
      .getChatMessages(MASTER_TOKEN, bot.ownerTelegramId)
      .filter((m) => m.direction === 'bot')
      .map((m) => m.text ?? '');

  const received = () =>
    chatIds.filter((chatId) =>
      world.telegram
        .getChatMessages(bot.telegram.id, chatId)
        .some((m) => m.direction === 'bot' && (m.text ?? '').includes(marker)),
    ).length;

  it('records what Telegram took as sent, the rest as not sent, nothing unknown, and fails the broadcast', async () => {
    const { ctx } = world;
    const service = ctx.get(BroadcastsService);
    const runs = ctx.get(BroadcastRunsService);
    const actor = Actors.tenantApi(bot.id);
    const v = await service.create(bot.id, { text: `<b>${marker}</b> news`, audience: { segment: 'all' } }, actor);
    // Previewed as the worker confirms it, so the test decides when sending starts.
    expect(await runs.previewed(bot.id, v.broadcast.id, 0)).toBe(true);
    id = (await service.start(bot.id, v.broadcast.id, actor)).broadcast.id;
    await world.startWorker(createWorkerApp);
    await waitFor(
      async () => (await world.platform.query(`SELECT 1 FROM bots WHERE is_master AND status = 'active'`)).length > 0,
      15_000,
    );

    // A few waves went out; the token dies while the next ones are on their way.
    await waitFor(() => received() >= 2 * IN_FLIGHT, 30_000, 10);
    world.telegram.revokeToken(bot.telegram.id);

    await waitFor(async () => (await runs.find(bot.id, id))?.status === 'failed', 30_000, 100);
    const sent = received();
    expect(sent).toBeGreaterThanOrEqual(2 * IN_FLIGHT);
    expect(sent).toBeLessThan(USERS);
    const { broadcast, progress } = await service.get(bot.id, id);
    expect(broadcast.failure).toMatch(/Telegram rejected the bot token/);
    expect(progress).toMatchObject({ total: USERS, sent, blocked: 0, interrupted: 0, remaining: 0 });
    expect(progress.failed + progress.skipped).toBe(USERS - sent);
    // The history's counters say the same.
    expect(await runs.find(bot.id, id)).toMatchObject({ sent, failed: progress.failed, skipped: progress.skipped });

    // The owner hears how it ended, as the admin chat would have, through the master bot.
    const ref = `#${id.slice(0, 8)}`;
    await waitFor(() => fromMaster().some((t) => t.includes(ref)), 15_000);
    const report = fromMaster().find((t) => t.includes(ref))!;
    expect(report).toContain(`@${bot.telegram.username}`);
    expect(report).toContain('Telegram rejected the bot token');
    expect(report).toContain(`${sent} of ${USERS} sent`);
  });

  it('tells the owner once when twin runs of the chunk end it too', async () => {
    const ref = `#${id.slice(0, 8)}`;
    const reports = () => fromMaster().filter((t) => t.includes(ref)).length;
    await waitFor(() => reports() === 1, 15_000);
    // Two more runs of the chunk (a stalled job picked up again while its first worker lived on) find the
    // broadcast ended and post its end again: the bot still cannot, so each would relay it to the owner.
    const chunk = (await world.ctx.get(BroadcastRunsService).find(bot.id, id))!.chunk;
    const queue = world.queue(JOB_QUEUE[JobName.SendBroadcast]);
    const twins = await Promise.all(
      ['a', 'b'].map((twin) =>
        queue.add(JobName.SendBroadcast, { botId: bot.id, broadcastId: id, chunk }, { jobId: `twin-${twin}-${id}` }),
      ),
    );
    for (const job of twins) {
      await waitFor(async () => ['completed', 'failed'].includes(await queue.getJobState(job.id!)), 20_000);
      expect(await queue.getJobState(job.id!)).toBe('completed');
    }
    expect(reports()).toBe(1);
  });
});
