import { Injectable } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { JOB_QUEUE, JobName, OnJob, QueueName } from '@botfleet/jobs';
import { CreateOrderUseCase, StartCardPaymentUseCase, SubmitReceiptUseCase } from '@botfleet/sales';
import { TelegramEmulator, TestContext, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';
import { JOB_SCHEDULES } from './job-schedules';
import { SaleSweeper } from '../sales/sale-sweeper.service';
import { WorkerModule } from '../worker.module';

/** A second handler for a job that already has one: the worker must refuse it. */
@Injectable()
class SecondSweeper {
  @OnJob({ name: JobName.SweepSales })
  async sweep(): Promise<void> {}
}

/**
 * The job runner inside the real worker (WorkerModule, real PostgreSQL, Redis queues, the Telegram emulator):
 * it refuses to start without exactly one handler per job, and a job that fails for good goes through its
 * final-failure hook, so a review message that never arrives reaches the owner.
 */
describe('job runner (worker module, PostgreSQL, Redis, Telegram emulator)', () => {
  jest.setTimeout(60_000);

  let world: WorkerWorld;
  let telegram: TelegramEmulator;
  let ctx: TestContext;
  let workers = 0;
  const queue = (name: QueueName) => world.queue(name);
  const bootWorker = () => {
    workers++;
    return world.startWorker(createWorkerApp);
  };

  beforeAll(async () => {
    // Like Telegram: a chat nobody opened with the bot does not exist (the admin chat the bot is not in).
    world = await WorkerWorld.start({
      telegram: { unknownChats: 'reject' },
      env: { SALE_SWEEP_INTERVAL_MS: '60000', JOB_SCHEDULES_RECHECK_MS: '300' },
      // The context's own jobs go to a prefix no worker reads: this test queues the job it watches.
      jobs: 'detached',
    });
    ({ telegram, ctx } = world);
  });

  afterAll(() => world?.close());

  const refusal = async (build: ReturnType<typeof Test.createTestingModule>) => {
    const app = (await build.compile()).createNestApplication(new FastifyAdapter(), { logger: false });
    try {
      await app.init();
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    } finally {
      await app.close().catch(() => undefined);
    }
  };

  it('refuses to start when a job name has no handler, naming the job', async () => {
    const message = await refusal(
      Test.createTestingModule({ imports: [WorkerModule] })
        .overrideProvider(SaleSweeper)
        .useValue({ sweep: () => Promise.resolve() }),
    );
    expect(message).toContain(`no @OnJob handler for job "${JobName.SweepSales}"`);
  });

  it('refuses to start when a job name has two handlers, naming both', async () => {
    const message = await refusal(Test.createTestingModule({ imports: [WorkerModule], providers: [SecondSweeper] }));
    expect(message).toContain(`job "${JobName.SweepSales}" has 2 handlers`);
    expect(message).toContain('SaleSweeper.sweep');
    expect(message).toContain('SecondSweeper.sweep');
  });

  it('a review message whose every send fails ends with the owner told in their private chat', async () => {
    const bot = await ctx.newBot({ adminChatId: -100_777_000_111, status: 'paused' });
    const buyer = await ctx.newUser(bot.id);
    await ctx.newCard(bot.id);
    const plan = await ctx.newPlan(bot.id);
    const { order } = await ctx
      .get(CreateOrderUseCase)
      .execute({ botId: bot.id, userId: buyer.id, planId: plan.id, idempotencyKey: `runner-${buyer.id}` });
    const { payment } = await ctx
      .get(StartCardPaymentUseCase)
      .execute({ botId: bot.id, orderId: order.id, by: { userId: buyer.id } });
    await ctx.get(SubmitReceiptUseCase).execute({
      botId: bot.id,
      userId: buyer.id,
      receipt: { kind: 'photo', fileId: 'receipt-photo', fileUniqueId: 'receipt-photo-u' },
    });
    // The owner has opened the bot; the admin chat the review goes to does not exist for it.
    await telegram.sendText(bot.telegram.id, {
      from: { id: bot.ownerTelegramId, first_name: 'Owner' },
      text: '/start',
    });

    await bootWorker();
    const notifications = queue(QueueName.Notifications);
    const job = await notifications.add(
      JobName.SaleNotification,
      { botId: bot.id, event: 'receipt_submitted', paymentId: payment.id },
      { attempts: 3, backoff: { type: 'fixed', delay: 100 } },
    );

    await waitFor(async () => (await notifications.getJobState(job.id!)) === 'failed', 20_000);
    const failed = (await notifications.getJob(job.id!))!;
    expect(failed.attemptsMade).toBe(3);
    const [alert] = await telegram.waitForMessages(bot.telegram.id, bot.ownerTelegramId, 1, 20_000);
    expect(alert.sourceText ?? alert.text).toContain('could not deliver a notice');
    expect(alert.sourceText ?? alert.text).toContain(payment.id);
    // Told once, however often the hook is heard.
    await new Promise((r) => setTimeout(r, 500));
    expect(await telegram.getChatMessages(bot.telegram.id, bot.ownerTelegramId)).toHaveLength(1);
  });

  it('keeps one scheduler per periodic job however many workers start, and parks a job it does not know', async () => {
    if (workers === 0) await bootWorker();
    await bootWorker();
    const provisioning = queue(QueueName.Provisioning);
    const ids = (await provisioning.getJobSchedulers()).map((s) => s.key).sort();
    // One entry per schedule of the provisioning queue (every one is on in this env), none twice.
    const expected = JOB_SCHEDULES.filter((s) => JOB_QUEUE[s.name] === QueueName.Provisioning).map((s) => s.id);
    expect(expected).toEqual(expect.arrayContaining(['prune-processed-updates', 'sale-sweep', 'traffic-sync']));
    expect(ids).toEqual([...expected].sort());

    const notifications = queue(QueueName.Notifications);
    const unknown = await notifications.add('from-a-newer-build', { botId: 'x' });
    await waitFor(async () => (await notifications.getJobState(unknown.id!)) === 'delayed', 10_000);
    expect((await notifications.getJob(unknown.id!))!.attemptsMade).toBe(0);
  });

  it('puts back a periodic job scheduler that vanished from Redis, once, leaving the others as they were', async () => {
    if (workers === 0) await bootWorker();
    const provisioning = queue(QueueName.Provisioning);
    const before = await provisioning.getJobScheduler('traffic-sync');
    await provisioning.removeJobScheduler('sale-sweep');
    expect(await provisioning.getJobScheduler('sale-sweep')).toBeUndefined();
    await waitFor(async () => !!(await provisioning.getJobScheduler('sale-sweep')), 10_000, 100);
    const ids = (await provisioning.getJobSchedulers()).map((s) => s.key);
    expect(ids.filter((id) => id === 'sale-sweep')).toHaveLength(1);
    // An existing scheduler is not rewritten (its next run stays where it was).
    expect((await provisioning.getJobScheduler('traffic-sync'))?.next).toBe(before?.next);
  });
});
