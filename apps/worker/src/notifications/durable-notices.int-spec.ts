import { Actors } from '@botfleet/common';
import { TenantRepositories } from '@botfleet/dal';
import { JobName, QueueName } from '@botfleet/jobs';
import { ApproveReceiptUseCase } from '@botfleet/sales';
import { TelegramEmulator, TestContext, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

const HOUR_MS = 3_600_000;

/** Total wait of BullMQ's exponential backoff over a job's retries: base·(2^(attempts−1) − 1). */
function retryWindowMs(opts: { attempts?: number; backoff?: number | { type?: string; delay?: number } }): number {
  const attempts = opts.attempts ?? 1;
  const backoff = typeof opts.backoff === 'number' ? { type: 'fixed', delay: opts.backoff } : opts.backoff;
  const base = backoff?.delay ?? 0;
  if (backoff?.type === 'exponential') return base * (2 ** (attempts - 1) - 1);
  return base * (attempts - 1);
}

/**
 * Notices that carry money or a decision are durable (RELIABILITY.md 6b): they are queued with hours of
 * retries, and a review whose admin chat cannot take it reaches the owner's private chat at once, with the
 * reason. Real worker, PostgreSQL, Redis and the Telegram emulator (which, like Telegram, knows no chat the
 * bot was never in).
 */
describe('durable notices (worker, PostgreSQL, Redis, Telegram emulator)', () => {
  jest.setTimeout(60_000);

  let world: WorkerWorld;
  let telegram: TelegramEmulator;
  let ctx: TestContext;

  beforeAll(async () => {
    world = await WorkerWorld.start({
      telegram: { unknownChats: 'reject' },
      env: { SALE_SWEEP_INTERVAL_MS: '60000' },
      // The sale's own jobs go to a prefix no worker reads: the tests read them there or queue their own.
      jobs: 'detached',
    });
    ({ telegram, ctx } = world);
  });

  afterAll(() => world?.close());

  it('queues the receipt to review and the approval notice with hours of retries', async () => {
    const bot = await ctx.newBot();
    const { paymentId } = await ctx.newReceiptToReview(bot.id);
    const paid = await ctx.newPaidOrder(bot.id, { via: 'card' });

    const sale = world.queue(QueueName.Notifications, { detached: true });
    const jobs = await sale.getJobs(['waiting', 'delayed', 'prioritized']);
    const notices = jobs.filter((j) => j.name === JobName.SaleNotification);
    const review = notices.find((j) => j.data.paymentId === paymentId && j.data.event === 'receipt_submitted');
    const approved = notices.find((j) => j.data.botId === bot.id && j.data.event === 'receipt_approved');
    expect(review).toBeDefined();
    expect(approved).toBeDefined();
    expect(paid.order.status).toBe('fulfilling');
    for (const job of [review!, approved!]) {
      expect(job.opts.attempts).toBeGreaterThanOrEqual(10);
      expect(retryWindowMs(job.opts)).toBeGreaterThanOrEqual(4 * HOUR_MS);
    }
  });

  it('sends a review whose admin chat is "chat not found" to the owner at once, telling them why', async () => {
    const adminChatId = -100_555_000_222;
    const bot = await ctx.newBot({ adminChatId, status: 'paused' });
    const buyer = await ctx.newUser(bot.id);
    const photo = telegram.sendPhoto(bot.telegram.id, { from: { id: buyer.telegramId, first_name: 'Buyer' } });
    const { paymentId } = await ctx.newReceiptToReview(bot.id, {
      userId: buyer.id,
      receiptFileId: photo.fileIds.at(-1),
    });
    // The owner has opened the bot; the admin chat does not exist for it.
    await telegram.sendText(bot.telegram.id, {
      from: { id: bot.ownerTelegramId, first_name: 'Owner' },
      text: '/start',
    });

    await world.startWorker(createWorkerApp);
    const notifications = world.queue(QueueName.Notifications);
    // One attempt: the review must reach someone on the first try, not after retries.
    const job = await notifications.add(
      JobName.SaleNotification,
      { botId: bot.id, event: 'receipt_submitted', paymentId },
      { attempts: 1 },
    );

    await waitFor(async () => ['completed', 'failed'].includes(await notifications.getJobState(job.id!)), 20_000);
    const done = (await notifications.getJob(job.id!))!;
    expect([await done.getState(), done.failedReason]).toEqual(['completed', undefined]);
    const [review, why] = await telegram.waitForMessages(bot.telegram.id, bot.ownerTelegramId, 2, 10_000);
    expect(review.method).toBe('sendPhoto');
    expect(JSON.stringify(review.replyMarkup)).toContain('Approve');
    expect(why.text).toContain('admin chat is unreachable');
    expect(why.text).toContain('the chat does not exist or the bot is not in it');
    expect(why.replyToMessageId).toBe(review.messageId);
    // The decision's notices follow the review to where it is.
    const payment = await ctx.get(TenantRepositories).cardPayments.findById(bot.id, paymentId);
    expect(payment?.reviewChatId).toBe(bot.ownerTelegramId);
    expect(payment?.reviewMessageId).toBe(review.messageId);

    // The owner then blocks the bot: the approval's closing note cannot be posted there any more. The user is
    // told once; the job does not retry for hours into a chat that refuses it (repeating the user's news).
    const owner = { id: bot.ownerTelegramId, first_name: 'Owner' };
    telegram.blockBot(bot.telegram.id, { from: owner });
    await ctx.get(ApproveReceiptUseCase).execute({ botId: bot.id, paymentId, actor: Actors.botAdmin(owner.id) });
    const approved = await notifications.add(
      JobName.SaleNotification,
      { botId: bot.id, event: 'receipt_approved', paymentId },
      { attempts: 3, backoff: { type: 'fixed', delay: 100 } },
    );
    await waitFor(async () => ['completed', 'failed'].includes(await notifications.getJobState(approved.id!)), 20_000);
    expect(await notifications.getJobState(approved.id!)).toBe('completed');
    // A run of the same notice again (a retry after a later step failed, a relay) does not repeat the news.
    const again = await notifications.add(JobName.SaleNotification, {
      botId: bot.id,
      event: 'receipt_approved',
      paymentId,
    });
    await waitFor(async () => ['completed', 'failed'].includes(await notifications.getJobState(again.id!)), 20_000);
    const news = telegram
      .getChatMessages(bot.telegram.id, buyer.telegramId)
      .filter((m) => m.direction === 'bot' && (m.text ?? '').includes('was approved'));
    expect(news).toHaveLength(1);
  });

  it('an owner alert whose admin chat is unreachable reaches the owner once and ends (no retries repeating it)', async () => {
    const bot = await ctx.newBot({ adminChatId: -100_555_000_333, status: 'paused' });
    await telegram.sendText(bot.telegram.id, {
      from: { id: bot.ownerTelegramId, first_name: 'Owner' },
      text: '/start',
    });
    if (!world.worker) await world.startWorker(createWorkerApp);
    const notifications = world.queue(QueueName.Notifications);
    const job = await notifications.add(
      JobName.NotifyOwner,
      { botId: bot.id, kind: 'wholesale_low' },
      { attempts: 3, backoff: { type: 'fixed', delay: 100 } },
    );
    await waitFor(async () => ['completed', 'failed'].includes(await notifications.getJobState(job.id!)), 20_000);
    expect(await notifications.getJobState(job.id!)).toBe('completed');
    const alerts = telegram
      .getChatMessages(bot.telegram.id, bot.ownerTelegramId)
      .filter((m) => m.direction === 'bot' && (m.text ?? '').includes('wholesale'));
    expect(alerts).toHaveLength(1);
  });
});
