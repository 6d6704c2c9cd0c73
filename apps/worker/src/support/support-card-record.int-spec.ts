import { TenantRepositories } from '@botfleet/dal';
import { JobName, JobPayloads, QueueName } from '@botfleet/jobs';
import { applyEnv, TcpProxy, TelegramEmulator, TestContext, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

type SupportJob = JobPayloads[JobName.SupportNotification];

/** SUPPORT_NOTICE_CLAIM_STALE_MS of this suite (5 minutes in production). */
const STALE_MS = 3_000;

/**
 * A ticket's card when its record fails (real worker whose PostgreSQL is behind a proxy this test drops, the
 * Telegram emulator): the card reached Telegram but neither its record on the ticket nor the release of its
 * claim could be written. The claim stays unfinished, is taken over once stale, and the card posted again is
 * the one recorded — an admin's reply to it answers the ticket (before, the claim kept the card from ever
 * being recorded, so replies in the admin chat routed nowhere).
 */
describe('support card whose record failed (worker, PostgreSQL dropped after the send)', () => {
  jest.setTimeout(90_000);
  let world: WorkerWorld;
  let telegram: TelegramEmulator;
  let ctx: TestContext;
  let pg: TcpProxy;
  let restore: () => void;

  beforeAll(async () => {
    world = await WorkerWorld.start({
      telegram: { unknownChats: 'reject' },
      jobs: 'detached',
      env: { SUPPORT_NOTICE_CLAIM_STALE_MS: String(STALE_MS), DATABASE_QUERY_TIMEOUT_MS: '2000' },
    });
    ({ telegram, ctx } = world);
    pg = await TcpProxy.forUrl(world.env.db.appUrl).start();
    restore = applyEnv({
      DATABASE_URL: pg.url(world.env.db.appUrl),
      DATABASE_PLATFORM_URL: pg.url(world.env.db.platformUrl),
    });
    await world.startWorker(createWorkerApp);
  });

  afterAll(async () => {
    pg?.resume();
    await world?.close();
    restore?.();
    await pg?.stop();
  });

  it('posts the card again once the unfinished claim is stale, and records the card it posted', async () => {
    const { bot, ticket, message } = await ctx.newOpenTicket({ text: 'Nothing works since noon' });
    const opened: SupportJob = { botId: bot.id, event: 'ticket_opened', ticketId: ticket.id, messageId: message.id };
    const cards = () =>
      telegram
        .getChatMessages(bot.telegram.id, bot.ownerTelegramId)
        .filter((m) => m.direction === 'bot' && (m.text ?? '').includes('Nothing works since noon'));
    const sendCalls = () => telegram.getBotStats(bot.telegram.id).calls.sendMessage ?? 0;

    // Telegram holds the card's answer a moment; the database goes away while it does.
    telegram.setFaults(bot.telegram.id, { delay: { ms: 1_500, methods: ['sendMessage'] } });
    const notifications = world.queue(QueueName.Notifications);
    const job = await notifications.add(JobName.SupportNotification, opened, {
      attempts: 40,
      backoff: { type: 'fixed', delay: 1_000 },
    });
    await waitFor(() => sendCalls() >= 1, 15_000, 5);
    pg.drop();
    await waitFor(() => cards().length === 1, 10_000);
    // The attempt fails: the card is in the chat, but its record and its claim's release were not written.
    await waitFor(async () => ((await notifications.getJob(job.id!))?.attemptsMade ?? 0) >= 1, 20_000);
    pg.resume();
    telegram.clearFaults(bot.telegram.id);

    await waitFor(async () => ['completed', 'failed'].includes(await notifications.getJobState(job.id!)), 45_000);
    expect(await notifications.getJobState(job.id!)).toBe('completed');
    expect(cards()).toHaveLength(2);
    const stored = await ctx.get(TenantRepositories).tickets.findById(bot.id, ticket.id);
    expect([stored?.adminChatId, stored?.adminMessageId]).toEqual([bot.ownerTelegramId, cards()[1].messageId]);

    // The event again: the card is recorded and its claim done, nothing more is posted.
    const again = await notifications.add(JobName.SupportNotification, opened, { attempts: 1 });
    await waitFor(async () => (await notifications.getJobState(again.id!)) === 'completed', 15_000);
    expect(cards()).toHaveLength(2);
  });
});
