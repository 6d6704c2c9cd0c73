import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker } from 'bullmq';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import { AppConfig } from '@botfleet/config';
import { TenantDb, TenantRepositories } from '@botfleet/dal';
import { JobName, JobQueue, QueueName, jobIdFor } from '@botfleet/jobs';
import { FulfilmentService } from '@botfleet/sales';
import { createTestEnv, TestBot, TestContext, TestEnv } from '@botfleet/testing';
import { ReconcileGatewayPaymentsUseCase } from '../../use-cases/reconcile-gateway-payments.use-case';
import { StartGatewayPaymentUseCase } from '../../use-cases/start-gateway-payment.use-case';
import { pendingRefundOf, refundJobId, STARS_REFUND_RESUME_AFTER_MS, StarsCheckout } from './stars-checkout.service';

/** A short statement timeout, so a payment row held by a stuck transaction makes the owner's alert fail quickly. */
const STATEMENT_TIMEOUT_MS = 1_000;

/**
 * A Telegram Stars refund our side refused for now (the order still being fulfilled) is never lost with its queue
 * job: the payment is marked and the job written to the outbox in the update's transaction; the reconciler takes up
 * a refund whose job Redis lost (queued again) or whose job failed for good without its hook telling the owner.
 * Real PostgreSQL, Redis (BullMQ's own API removes and fails jobs) and the Telegram emulator.
 */
describe('Telegram Stars refunds refused for now', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let bot: TestBot;
  let repos: TenantRepositories;
  let db: TenantDb;
  let checkout: StarsCheckout;
  let reconcile: ReconcileGatewayPaymentsUseCase;

  beforeAll(async () => {
    env = await createTestEnv({ DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) });
    ctx = await TestContext.create({ env, jobs: 'detached' });
    repos = ctx.get(TenantRepositories);
    db = ctx.get(TenantDb);
    checkout = ctx.get(StarsCheckout);
    reconcile = ctx.get(ReconcileGatewayPaymentsUseCase);
  });

  // A shop of its own per test: the reconciler looks at every pending refund of the bot.
  beforeEach(async () => {
    bot = await ctx.newBot({ currency: 'IRR', walletMinor: 10_000_000 });
    await ctx.setWholesalePrice(bot.id, { perPlanMinor: 1_000 });
    await ctx.get(FeaturesService).set(bot.id, 'telegram_stars', true, undefined, Actors.tenantApi(bot.id));
  });

  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
  });

  const provisioning = () => ctx.get(JobQueue).queue(QueueName.Provisioning);
  const paymentOf = async (id: string) => (await repos.gatewayPayments.findById(bot.id, id))!;
  const refundJobs = async (chargeId: string) =>
    (await provisioning().getJobs()).filter((j) => j.name === JobName.ApplyStarsRefund && j.data.chargeId === chargeId);
  const ownerAlert = (paymentId: string) =>
    ctx
      .get(JobQueue)
      .queue(QueueName.Notifications)
      .getJob(jobIdFor(JobName.NotifyOwner, [bot.id, 'stars_refund_unapplied', paymentId]));

  /**
   * A Stars order paid and still being fulfilled (nobody provisions in this context), then refunded by Telegram on
   * its own: our side refuses it for now (CONFLICT).
   */
  async function refundedWhileFulfilling() {
    const pending = await ctx.newOrder(bot.id, { plan: { priceMinor: 50_000, priceStars: 250 } });
    const { payment, action } = await ctx.get(StartGatewayPaymentUseCase).execute({
      botId: bot.id,
      gateway: 'stars',
      language: 'en',
      purpose: 'order',
      orderId: pending.orderId,
      by: { userId: pending.userId },
    });
    if (action.kind !== 'invoice') throw new Error('Stars answer with an invoice');
    const from = { id: pending.telegramId, first_name: 'Buyer' };
    const chargeId = ctx.telegram.sendSuccessfulPayment(bot.telegram.id, {
      from,
      currency: 'XTR',
      totalAmount: 250,
      invoicePayload: String(action.invoice.payload),
    }).telegramPaymentChargeId;
    const input = { chargeId, fromTelegramId: pending.telegramId };
    await checkout.paid(bot.id, {
      payload: String(action.invoice.payload),
      currency: 'XTR',
      totalAmount: 250,
      ...input,
    });
    expect((await repos.orders.findById(bot.id, pending.orderId))!.status).toBe('fulfilling');
    ctx.telegram.sendRefundedPayment(bot.telegram.id, { from, telegramPaymentChargeId: chargeId });
    const refused = await checkout.refunded(bot.id, input).then(
      () => null,
      (e: unknown) => e,
    );
    if (!DomainError.is(refused) || refused.code !== ErrorCode.CONFLICT) throw new Error('expected CONFLICT');
    return { ...pending, payment, chargeId, input, refused };
  }

  /** The refusal's follow-up inside a transaction standing for the update's (refundRefused's contract). */
  const followUp = (r: Awaited<ReturnType<typeof refundedWhileFulfilling>>) =>
    db.run(bot.id, () => checkout.refundRefused(bot.id, r.input, r.refused));

  it("marks the payment and writes the job's outbox row in the update's transaction; a rollback leaves neither", async () => {
    const r = await refundedWhileFulfilling();
    // The update's transaction rolls back after the follow-up (a later step failed): nothing of it remains.
    await expect(
      db.run(bot.id, async () => {
        await checkout.refundRefused(bot.id, r.input, r.refused);
        throw new Error('the update failed later');
      }),
    ).rejects.toThrow('the update failed later');
    expect(pendingRefundOf(await paymentOf(r.payment.id))).toBeNull();
    expect(await repos.jobOutbox.count(bot.id, { jobName: JobName.ApplyStarsRefund })).toBe(0);
    expect(await refundJobs(r.chargeId)).toHaveLength(0);

    let jobId = '';
    await db.run(bot.id, async () => {
      await expect(checkout.refundRefused(bot.id, r.input, r.refused)).resolves.toBe('retry_later');
      // Inside the transaction: the mark and the outbox row, and no job in Redis yet.
      const pending = pendingRefundOf(await paymentOf(r.payment.id));
      expect(pending?.fromTelegramId).toBe(r.telegramId);
      jobId = refundJobId(bot.id, r.payment.id, pending!.queuedAt);
      const rows = await repos.jobOutbox.find(bot.id, { where: { jobId } });
      expect(rows.map((row) => [row.jobName, row.payload])).toEqual([
        [JobName.ApplyStarsRefund, { botId: bot.id, ...r.input }],
      ]);
      expect(await provisioning().getJob(jobId)).toBeUndefined();
    });
    // Committed: the job is queued (with the refund's retries) and the outbox row forgotten; the mark stays.
    const job = (await provisioning().getJob(jobId))!;
    expect(job.data).toEqual({ botId: bot.id, ...r.input });
    expect(job.opts.attempts).toBeGreaterThan(ctx.get(AppConfig).PROVISIONING_ATTEMPTS);
    expect(await repos.jobOutbox.count(bot.id, { jobId })).toBe(0);
    expect(pendingRefundOf(await paymentOf(r.payment.id))).not.toBeNull();
    // The same refusal again (a redelivery, a concurrent copy): the one job stays the only one.
    await Promise.all([1, 2, 3].map(() => followUp(r)));
    expect(await refundJobs(r.chargeId)).toHaveLength(1);
  });

  it('a job Redis lost is queued again by the reconciler; the refund is applied once and the mark cleared', async () => {
    const r = await refundedWhileFulfilling();
    await followUp(r);
    const first = pendingRefundOf(await paymentOf(r.payment.id))!;
    // Redis loses the job.
    await (await provisioning().getJob(refundJobId(bot.id, r.payment.id, first.queuedAt)))!.remove();
    expect(await refundJobs(r.chargeId)).toHaveLength(0);

    // Too early (the outbox relay may still queue it): left alone.
    const soon = new Date(first.queuedAt.getTime() + 60_000);
    expect((await reconcile.execute({ botId: bot.id, gateway: 'stars', now: soon })).refundsResumed).toEqual([]);
    const later = new Date(first.queuedAt.getTime() + STARS_REFUND_RESUME_AFTER_MS + 1_000);
    expect((await reconcile.execute({ botId: bot.id, gateway: 'stars', now: later })).refundsResumed).toEqual([
      r.payment.id,
    ]);
    const second = pendingRefundOf(await paymentOf(r.payment.id))!;
    expect(second.queuedAt).toEqual(later);
    const requeued = (await provisioning().getJob(refundJobId(bot.id, r.payment.id, second.queuedAt)))!;
    expect(requeued.data).toEqual({ botId: bot.id, ...r.input });
    // Its job is alive: a later run leaves it alone.
    const evenLater = new Date(later.getTime() + STARS_REFUND_RESUME_AFTER_MS + 1_000);
    expect((await reconcile.execute({ botId: bot.id, gateway: 'stars', now: evenLater })).refundsResumed).toEqual([]);

    // The panel answers; the job runs (a copy of it, and the lost one's payload, at the same time).
    await ctx.get(FulfilmentService).succeeded(bot.id, r.orderId);
    const outcomes = await Promise.all([
      checkout.applyLater(requeued.data),
      checkout.applyLater(requeued.data),
      checkout.applyLater({ botId: bot.id, ...r.input }),
    ]);
    expect(outcomes.filter((o) => o === 'refunded')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already')).toHaveLength(2);
    await expect(checkout.applyLater(requeued.data)).resolves.toBe('already');

    const payment = await paymentOf(r.payment.id);
    expect(payment.status).toBe('refunded');
    expect(pendingRefundOf(payment)).toBeNull();
    expect((await repos.orders.findById(bot.id, r.orderId))!.status).toBe('refunded');
    // Once on every ledger: the wholesale charge reversed once, no wallet rows, one refund at Telegram (its own).
    const reversals = await repos.walletLedger.find(bot.id, {
      where: { idempotencyKey: `order:${r.orderId}:wholesale-refund` },
    });
    expect(reversals).toHaveLength(1);
    expect(await repos.transactions.find(bot.id, { where: { userId: r.userId } })).toEqual([]);
    expect(
      ctx.telegram.getRefunds(bot.telegram.id).filter((x) => x.telegramPaymentChargeId === r.chargeId),
    ).toHaveLength(1);
    // Nothing pending any more: the reconciler finds nothing to take up, and nobody told the owner.
    const last = new Date(evenLater.getTime() + STARS_REFUND_RESUME_AFTER_MS + 1_000);
    expect((await reconcile.execute({ botId: bot.id, gateway: 'stars', now: last })).refundsResumed).toEqual([]);
    expect(await ownerAlert(r.payment.id)).toBeUndefined();
  });

  it('a job that failed for good while its hook could not tell the owner: the mark stays, the reconciler tells', async () => {
    const r = await refundedWhileFulfilling();
    // Only this refund's job in the queue (nobody consumes it here): the provisioning jobs of the sale are dropped.
    await provisioning().drain(true);
    await followUp(r);
    const pending = pendingRefundOf(await paymentOf(r.payment.id))!;
    const jobId = refundJobId(bot.id, r.payment.id, pending.queuedAt);

    // The job's last attempt fails (taken by a worker of our own and failed through BullMQ).
    const queue = provisioning();
    const worker = new Worker(QueueName.Provisioning, undefined, {
      connection: queue.opts.connection,
      prefix: queue.opts.prefix,
      autorun: false,
    });
    try {
      const job = (await queue.getJob(jobId))!;
      if ((await job.getState()) === 'delayed') await job.promote();
      const token = randomUUID();
      const active = (await worker.getNextJob(token))!;
      expect(active.id).toBe(jobId);
      await active.moveToFailed(new UnrecoverableError('the order never settled'), token);
      expect(await (await queue.getJob(jobId))!.getState()).toBe('failed');
    } finally {
      await worker.close();
    }

    // Its final-failure hook cannot record it: the payment row is held by a stuck transaction.
    let release!: () => void;
    let held!: () => void;
    const heldNow = new Promise<void>((ok) => (held = ok));
    const holder = db.run(bot.id, async () => {
      await repos.gatewayPayments.findById(bot.id, r.payment.id, 'pessimistic_write');
      held();
      await new Promise<void>((ok) => (release = ok));
    });
    await heldNow;
    try {
      await expect(checkout.gaveUp({ botId: bot.id, ...r.input })).rejects.toThrow();
    } finally {
      release();
      await holder;
    }
    expect(pendingRefundOf(await paymentOf(r.payment.id))).toEqual(pending);
    expect(await ownerAlert(r.payment.id)).toBeUndefined();

    // The reconciler finds the refund still marked and its job failed: one more try (still refused), the owner told.
    const later = new Date(pending.queuedAt.getTime() + STARS_REFUND_RESUME_AFTER_MS + 1_000);
    expect((await reconcile.execute({ botId: bot.id, gateway: 'stars', now: later })).refundsResumed).toEqual([
      r.payment.id,
    ]);
    const alert = await ownerAlert(r.payment.id);
    expect(alert?.data).toEqual({
      botId: bot.id,
      kind: 'stars_refund_unapplied',
      data: { telegramId: String(r.telegramId), stars: 250, order: r.orderId, reason: 'unsettled' },
    });
    const payment = await paymentOf(r.payment.id);
    expect(pendingRefundOf(payment)).toBeNull();
    expect(payment.status).toBe('paid');
    // Told once: the next run has nothing to take up.
    const next = new Date(later.getTime() + STARS_REFUND_RESUME_AFTER_MS + 1_000);
    expect((await reconcile.execute({ botId: bot.id, gateway: 'stars', now: next })).refundsResumed).toEqual([]);
  });
});
