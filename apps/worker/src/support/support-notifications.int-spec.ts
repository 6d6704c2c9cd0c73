import { Actors } from '@botfleet/common';
import { SentNotificationRepository, TenantRepositories } from '@botfleet/dal';
import { JobName, JobPayloads, QueueName } from '@botfleet/jobs';
import { ReplyToTicketUseCase } from '@botfleet/support';
import { SupportNotifications } from '@botfleet/telegram';
import { TelegramEmulator, TestContext, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

type SupportJob = JobPayloads[JobName.SupportNotification];

/** SUPPORT_NOTICE_CLAIM_STALE_MS of this suite: an unfinished claim is taken over after 4 s (5 minutes in production). */
const STALE_MS = 4_000;

/**
 * The ticket events' messages (real worker, PostgreSQL, Redis and the Telegram emulator, which like Telegram
 * knows no chat the bot was never in): a ticket whose admin chat does not exist reaches the owner at once and
 * its replies route there; a replayed event posts no second card and tells the customer an answer once, also
 * when the attempts run at the same time (a stalled job run twice); a claim whose worker died before sending is
 * taken over once stale, and a failed send gives its claim back, so the job's retry posts the card once.
 */
describe('support notifications (worker)', () => {
  jest.setTimeout(60_000);
  let world: WorkerWorld;
  let telegram: TelegramEmulator;
  let ctx: TestContext;

  const run = async (data: SupportJob) => {
    const notifications = world.queue(QueueName.Notifications);
    const job = await notifications.add(JobName.SupportNotification, data, { attempts: 1 });
    await waitFor(async () => ['completed', 'failed'].includes(await notifications.getJobState(job.id!)), 20_000);
    const done = (await notifications.getJob(job.id!))!;
    expect([await done.getState(), done.failedReason]).toEqual(['completed', undefined]);
  };
  const botMessages = (botTg: number, chatId: number) =>
    telegram.getChatMessages(botTg, chatId).filter((m) => m.direction === 'bot');

  beforeAll(async () => {
    world = await WorkerWorld.start({
      telegram: { unknownChats: 'reject' },
      jobs: 'detached',
      env: { SUPPORT_NOTICE_CLAIM_STALE_MS: String(STALE_MS) },
    });
    ({ telegram, ctx } = world);
    await world.startWorker(createWorkerApp);
  });
  afterAll(() => world?.close());

  it('posts a ticket to the owner when the admin chat does not exist, once however often the event comes', async () => {
    const { bot, customer, ticket, message } = await ctx.newOpenTicket({
      adminChatId: -100_777_000_111,
      subject: 'No internet',
      text: 'Nothing loads',
    });
    const opened: SupportJob = { botId: bot.id, event: 'ticket_opened', ticketId: ticket.id, messageId: message.id };
    await run(opened);
    await run(opened);
    const cards = botMessages(bot.telegram.id, bot.ownerTelegramId).filter((m) => (m.text ?? '').includes('Ticket #1'));
    expect(cards).toHaveLength(1);
    expect(cards[0].text).toContain('Nothing loads');
    const stored = await ctx.get(TenantRepositories).tickets.findById(bot.id, ticket.id);
    expect([stored?.adminChatId, stored?.adminMessageId]).toEqual([bot.ownerTelegramId, cards[0].messageId]);

    // An answer: the customer is told once, however often the event is replayed.
    const { message: answer } = await ctx.get(ReplyToTicketUseCase).execute({
      botId: bot.id,
      ticketId: ticket.id,
      actor: Actors.botAdmin(bot.ownerTelegramId),
      content: { text: 'Restart the router' },
      adminPost: { chatId: bot.ownerTelegramId, messageId: 999_999 },
    });
    const answered: SupportJob = { botId: bot.id, event: 'admin_reply', ticketId: ticket.id, messageId: answer.id };
    await run(answered);
    await run(answered);
    const got = botMessages(bot.telegram.id, customer.telegramId).filter((m) =>
      (m.text ?? '').includes('Restart the router'),
    );
    expect(got).toHaveLength(1);
    expect(got[0].text).toContain('Support answered your ticket #1');
    // An admin's answer is not echoed back to the admins (only API answers are).
    expect(botMessages(bot.telegram.id, bot.ownerTelegramId).some((m) => (m.text ?? '').includes('Restart'))).toBe(
      false,
    );
  });

  it('sends each ticket message once when attempts at the same event run at the same time', async () => {
    const { bot, customer, ticket, message } = await ctx.newOpenTicket({
      status: 'active',
      subject: 'Slow',
      text: 'Everything is slow today',
    });
    const notices = world.worker.get(SupportNotifications);
    // The attempts that meet the winner's unfinished claim fail, to be retried; the retry finds it done.
    const race = async (job: SupportJob) => {
      const attempts = await Promise.allSettled(Array.from({ length: 6 }, () => notices.handle(job)));
      const refused = attempts.flatMap((a) => (a.status === 'rejected' ? [String(a.reason)] : []));
      expect(refused.length).toBeLessThan(6);
      for (const reason of refused) expect(reason).toMatch(/being sent by another attempt/);
      await notices.handle(job);
    };
    await race({ botId: bot.id, event: 'ticket_opened', ticketId: ticket.id, messageId: message.id });
    const cards = botMessages(bot.telegram.id, bot.ownerTelegramId).filter((m) => (m.text ?? '').includes('Ticket #1'));
    expect(cards).toHaveLength(1);

    // An answer over the API: the customer is told once, and the admins see it once under the card.
    const { message: answer } = await ctx.get(ReplyToTicketUseCase).execute({
      botId: bot.id,
      ticketId: ticket.id,
      actor: Actors.tenantApi(bot.id),
      content: { text: 'Try another server' },
    });
    await race({ botId: bot.id, event: 'admin_reply', ticketId: ticket.id, messageId: answer.id });
    const told = botMessages(bot.telegram.id, customer.telegramId).filter((m) =>
      (m.text ?? '').includes('Try another server'),
    );
    expect(told).toHaveLength(1);
    const echoed = botMessages(bot.telegram.id, bot.ownerTelegramId).filter((m) =>
      (m.text ?? '').includes('Try another server'),
    );
    expect(echoed).toHaveLength(1);
  });

  /** A paused bot (no poller answers /start) with tickets on, whose owner and customer have opened it. */
  const quietShop = async () => {
    const { bot, customer, ticket, message } = await ctx.newOpenTicket();
    const opened: SupportJob = { botId: bot.id, event: 'ticket_opened', ticketId: ticket.id, messageId: message.id };
    const cards = () =>
      botMessages(bot.telegram.id, bot.ownerTelegramId).filter((m) => (m.text ?? '').includes('The VPN is down'));
    return { bot, customer, ticket, opened, cards };
  };
  const settled = async (jobId: string) => {
    const notifications = world.queue(QueueName.Notifications);
    await waitFor(async () => ['completed', 'failed'].includes(await notifications.getJobState(jobId)), 30_000);
    return (await notifications.getJob(jobId))!;
  };

  it('takes over a card claim its worker left unfinished once it is stale, and posts the card once', async () => {
    const { bot, customer, ticket, opened, cards } = await quietShop();
    // A worker claimed the card, as the product claims it, and died before sending: the claim stays unfinished.
    const claimed = await ctx
      .get(SentNotificationRepository)
      .claimLease(
        bot.id,
        { userId: customer.id, subscriptionId: null, kind: 'ticket_card', dedupeKey: `ticket-card:${ticket.id}` },
        STALE_MS,
      );
    expect(claimed).toEqual({ lease: expect.objectContaining({ dedupeKey: `ticket-card:${ticket.id}` }) });
    const notifications = world.queue(QueueName.Notifications);
    const job = await notifications.add(JobName.SupportNotification, opened, {
      attempts: 20,
      backoff: { type: 'fixed', delay: 1_000 },
    });
    // While the claim is fresh, an attempt neither posts a second card nor drops it: it fails, to be retried.
    await waitFor(async () => ((await notifications.getJob(job.id!))?.attemptsMade ?? 0) >= 1, 10_000);
    expect(cards()).toHaveLength(0);
    const done = await settled(job.id!);
    expect(await done.getState()).toBe('completed');
    expect(cards()).toHaveLength(1);
    const stored = await ctx.get(TenantRepositories).tickets.findById(bot.id, ticket.id);
    expect([stored?.adminChatId, stored?.adminMessageId]).toEqual([bot.ownerTelegramId, cards()[0].messageId]);
    // The event again (a replay, a retry): nothing more is posted.
    await run(opened);
    expect(cards()).toHaveLength(1);
  });

  it('gives the card claim back when its send fails, so the job retry posts it once', async () => {
    const { bot, ticket, opened, cards } = await quietShop();
    // Telegram fails the card's send (every one of the client's own retries): the attempt fails.
    telegram.setFaults(bot.telegram.id, { failNext: { count: 5, status: 502, methods: ['sendMessage'] } });
    const notifications = world.queue(QueueName.Notifications);
    const job = await notifications.add(JobName.SupportNotification, opened, {
      attempts: 3,
      backoff: { type: 'fixed', delay: 500 },
    });
    const done = await settled(job.id!);
    telegram.clearFaults(bot.telegram.id);
    expect([await done.getState(), done.attemptsMade]).toEqual(['completed', 2]);
    expect(cards()).toHaveLength(1);
    const stored = await ctx.get(TenantRepositories).tickets.findById(bot.id, ticket.id);
    expect(stored?.adminMessageId).toBe(cards()[0].messageId);
    await run(opened);
    expect(cards()).toHaveLength(1);
  });
});
