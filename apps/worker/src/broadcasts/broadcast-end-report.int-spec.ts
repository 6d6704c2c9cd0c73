import { Actors } from '@botfleet/common';
import { BroadcastRunsService, BroadcastsService } from '@botfleet/broadcasts';
import { JOB_QUEUE, JobName } from '@botfleet/jobs';
import { TestBot, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

/** The master bot, through which a bot's owner hears what the bot itself can no longer say. */
const MASTER_TOKEN = `7900000002:AA${'r'.repeat(33)}`;
/** A job lock of a second: the relay below outlasts half of it (the lease the end report used to be taken for). */
const LOCK_MS = 1_000;
/** How long the master bot's relay takes in the slow case. */
const SLOW_RELAY_MS = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The end of a broadcast whose bot's token Telegram rejects is told to the bot's owner through the master bot:
 * exactly once when the relay is slow and more runs end the broadcast meanwhile, once when the relay's answer is
 * lost after Telegram sent it (not sent again), and — retried by its job — once when Telegram refused the relay.
 * Real PostgreSQL, Redis, worker and Telegram emulator (its delay, failNext and loseAnswer faults).
 */
describe('broadcast end told to the owner (worker, emulator faults)', () => {
  jest.setTimeout(90_000);
  let world: WorkerWorld;
  let master: number;

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: { MASTER_BOT_TOKEN: MASTER_TOKEN, BROADCAST_LOCK_MS: String(LOCK_MS), NOTICE_BACKOFF_MS: '300' },
    });
    master = world.telegram.createBot({ token: MASTER_TOKEN }).id;
    await world.startWorker(createWorkerApp);
    await waitFor(
      async () => (await world.platform.query(`SELECT 1 FROM bots WHERE is_master AND status = 'active'`)).length > 0,
      15_000,
    );
  });
  afterAll(() => world?.close());

  /** What the master bot told the owner about the broadcast `id`. */
  const reports = (bot: TestBot, id: string) =>
    world.telegram
      .getChatMessages(MASTER_TOKEN, bot.ownerTelegramId)
      .filter((m) => m.direction === 'bot' && (m.text ?? '').includes(`#${id.slice(0, 8)}`));

  /** A broadcast of a bot whose token was revoked: its run fails it and cannot post the end itself. */
  async function failedBroadcast(): Promise<{ bot: TestBot; id: string }> {
    const { ctx } = world;
    const bot = await ctx.newBot();
    for (let i = 0; i < 3; i++) await ctx.newUser(bot.id);
    const service = ctx.get(BroadcastsService);
    const runs = ctx.get(BroadcastRunsService);
    const actor = Actors.tenantApi(bot.id);
    const v = await service.create(bot.id, { text: 'END REPORT news', audience: { segment: 'all' } }, actor);
    await waitFor(async () => !!(await runs.find(bot.id, v.broadcast.id))?.previewedAt, 20_000);
    world.telegram.revokeToken(bot.telegram.id);
    await service.start(bot.id, v.broadcast.id, actor);
    const id = v.broadcast.id;
    await waitFor(async () => (await runs.find(bot.id, id))?.status === 'failed', 20_000, 50);
    return { bot, id };
  }

  /**
   * A broadcast of a bot whose revoked token the worker already met (the master bot told the owner so): its run then
   * fails it and cannot post the end itself, and the master bot's next message to the owner is the end report.
   */
  async function failedBroadcastOfInvalidBot(): Promise<{ bot: TestBot; id: string }> {
    const { ctx } = world;
    const bot = await ctx.newBot();
    for (let i = 0; i < 3; i++) await ctx.newUser(bot.id);
    const service = ctx.get(BroadcastsService);
    const runs = ctx.get(BroadcastRunsService);
    const actor = Actors.tenantApi(bot.id);
    const v = await service.create(bot.id, { text: 'END REPORT news', audience: { segment: 'all' } }, actor);
    await waitFor(async () => !!(await runs.find(bot.id, v.broadcast.id))?.previewedAt, 20_000);
    world.telegram.revokeToken(bot.telegram.id);
    const toOwner = () => world.telegram.getChatMessages(MASTER_TOKEN, bot.ownerTelegramId);
    await waitFor(() => toOwner().length > 0, 20_000, 50); // the token-invalid notice, before any fault is set
    return { bot, id: v.broadcast.id };
  }

  /** Starts the broadcast `id`, which its run fails (the token is rejected) and reports through the master bot. */
  async function start(bot: TestBot, id: string): Promise<void> {
    const runs = world.ctx.get(BroadcastRunsService);
    await world.ctx.get(BroadcastsService).start(bot.id, id, Actors.tenantApi(bot.id));
    await waitFor(async () => (await runs.find(bot.id, id))?.status === 'failed', 20_000, 50);
  }

  it.each([
    ['the connection closed unanswered (a reset, as after a timeout)', undefined],
    ['a 502', 502],
    ['a 504', 504],
  ])('a relay Telegram carried out whose answer was lost (%s) is not sent again: told once', async (_, status) => {
    const { bot, id } = await failedBroadcastOfInvalidBot();
    // The relay reaches the owner, but its answer does not come back: it may have arrived, so neither the client
    // (its retries) nor the job (the report reopened) sends it again.
    world.telegram.setFaults(master, { loseAnswer: { count: 1, methods: ['sendMessage'], status } });
    try {
      await start(bot, id);
      await waitFor(() => reports(bot, id).length > 0, 20_000);
      await sleep(3_000); // the client's backoff, and the job's (NOTICE_BACKOFF_MS) with room to spare
      expect(reports(bot, id)).toHaveLength(1);
    } finally {
      world.telegram.clearFaults(master);
    }
  });

  it.each([400, 403])(
    'a relay Telegram refused (%s) is retried by its job and tells the owner once',
    async (status) => {
      const { bot, id } = await failedBroadcastOfInvalidBot();
      const refused = () => world.telegram.getBotStats(master).errors[status] ?? 0;
      const before = refused();
      world.telegram.setFaults(master, { failNext: { count: 1, status, methods: ['sendMessage'] } });
      try {
        await start(bot, id);
        await waitFor(() => reports(bot, id).length > 0, 20_000);
        await sleep(2_000);
        expect(refused()).toBe(before + 1); // the first relay was the one refused: the report came by the job's retry
        expect(reports(bot, id)).toHaveLength(1);
      } finally {
        world.telegram.clearFaults(master);
      }
    },
  );

  it('a slow relay tells the owner once, however many runs end the broadcast meanwhile', async () => {
    world.telegram.setFaults(master, { delay: { ms: SLOW_RELAY_MS, methods: ['sendMessage'] } });
    try {
      const { bot, id } = await failedBroadcast();
      // While the first relay is on its way, more runs of the chunk (a stalled job picked up again, its first
      // worker alive) find the broadcast ended and would each have the owner told.
      const chunk = (await world.ctx.get(BroadcastRunsService).find(bot.id, id))!.chunk;
      const queue = world.queue(JOB_QUEUE[JobName.SendBroadcast]);
      for (const twin of ['a', 'b']) {
        await sleep(LOCK_MS);
        await queue.add(
          JobName.SendBroadcast,
          { botId: bot.id, broadcastId: id, chunk },
          { jobId: `twin-${twin}-${id}` },
        );
      }
      await waitFor(() => reports(bot, id).length > 0, 20_000);
      await sleep(SLOW_RELAY_MS + LOCK_MS);
      expect(reports(bot, id)).toHaveLength(1);
      expect(reports(bot, id)[0].text).toMatch(/stopped: .*0 of 3 sent/);
    } finally {
      world.telegram.clearFaults(master);
    }
  });

  it('a relay answered 5xx is never sent again, even when Telegram had not sent it (at most once)', async () => {
    // A 502 does not say whether the message went out (see the lost answers above), so it is taken as told: here
    // it had not been, and the owner never hears of this broadcast's end. The price of never telling twice.
    const { bot, id } = await failedBroadcastOfInvalidBot();
    const answered502 = () => world.telegram.getBotStats(master).errors[502] ?? 0;
    const before = answered502();
    world.telegram.setFaults(master, { failNext: { count: 1, status: 502, methods: ['sendMessage'] } });
    try {
      await start(bot, id);
      await waitFor(() => answered502() > before, 20_000);
      await sleep(3_000);
      expect(reports(bot, id)).toHaveLength(0);
    } finally {
      world.telegram.clearFaults(master);
    }
  });
});
