import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { Actor, Actors, ErrorCode } from '@botfleet/common';
import { AuditModule } from '@botfleet/audit';
import { ConfigModule } from '@botfleet/config';
import { DalModule, TenantDb } from '@botfleet/dal';
import { JobName, JobQueue, JobsModule, jobIdFor, QueueName } from '@botfleet/jobs';
import { applyEnv, createTestEnv, TestContext, TestEnv } from '@botfleet/testing';
import { FulfilmentService } from './fulfilment.service';
import { ReviewPolicy } from './review-policy';
import { AS_TENANT } from './sale-rules';
import { SalesModule } from './sales.module';
import { ApproveReceiptUseCase } from './use-cases/approve-receipt.use-case';
import { CreateOrderUseCase } from './use-cases/create-order.use-case';
import { ExpireCardPaymentsUseCase } from './use-cases/expire-card-payments.use-case';
import { PayFromWalletUseCase } from './use-cases/pay-from-wallet.use-case';
import { RejectReceiptUseCase } from './use-cases/reject-receipt.use-case';
import { StartCardPaymentUseCase } from './use-cases/start-card-payment.use-case';
import { SubmitReceiptUseCase } from './use-cases/submit-receipt.use-case';

const ADMIN_TG = 777;
const ADMIN_RACERS = 19;
const reviewer = Actors.botAdmin(ADMIN_TG);

describe('the sale (real PostgreSQL and Redis)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let restore: () => void;
  let mod: TestingModule;
  let platform: DataSource;
  let createOrder: CreateOrderUseCase;
  let startCardPayment: StartCardPaymentUseCase;
  let submitReceipt: SubmitReceiptUseCase;
  let approveReceipt: ApproveReceiptUseCase;
  let rejectReceipt: RejectReceiptUseCase;
  let expireCardPayments: ExpireCardPaymentsUseCase;
  let payFromWallet: PayFromWalletUseCase;
  let fulfilment: FulfilmentService;
  let jobs: JobQueue;
  let policy: ReviewPolicy;
  let botId: string;
  let planId: string;

  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    platform.query(sql, params) as Promise<T[]>;
  const newUser = async () => (await ctx.newUser(botId)).id;
  const botWallet = async () =>
    (
      await q<{ b: number; h: number }>(
        `SELECT wallet_balance_minor::int b, wallet_held_minor::int h FROM bots WHERE id = $1`,
        [botId],
      )
    )[0];
  const orderOf = async (id: string) =>
    (await q<{ status: string }>(`SELECT status FROM orders WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    env = await createTestEnv();
    restore = applyEnv(env.vars);
    mod = await Test.createTestingModule({
      imports: [ConfigModule, DalModule, JobsModule, AuditModule, SalesModule],
    }).compile();
    await mod.init();
    platform = await env.db.platform();
    createOrder = mod.get(CreateOrderUseCase);
    startCardPayment = mod.get(StartCardPaymentUseCase);
    submitReceipt = mod.get(SubmitReceiptUseCase);
    approveReceipt = mod.get(ApproveReceiptUseCase);
    rejectReceipt = mod.get(RejectReceiptUseCase);
    expireCardPayments = mod.get(ExpireCardPaymentsUseCase);
    payFromWallet = mod.get(PayFromWalletUseCase);
    fulfilment = mod.get(FulfilmentService);
    jobs = mod.get(JobQueue);
    policy = mod.get(ReviewPolicy);
    ctx = await TestContext.create({ env });
    // 777 (the owner) reviews in most tests; 1000..1018 are the admins racing in the concurrency test
    // (a bot has at most 20 admins, the owner included).
    botId = (await ctx.newBot({ ownerTelegramId: ADMIN_TG, walletMinor: 200000 })).id;
    await ctx.setAdmins(
      botId,
      Array.from({ length: ADMIN_RACERS }, (_, i) => 1000 + i),
    );
    await ctx.setWholesalePrice(botId, { perPlanMinor: 1000, perGbMinor: 100 });
    const plan = { name: { en: 'Month' }, periodDays: 30, priceMinor: 50000, trafficLimitGb: 50, deviceLimit: 2 };
    planId = (await ctx.newPlan(botId, plan)).id;
    await ctx.newCard(botId, { cardNumber: '6037990000000006', cardHolderName: 'Ali' });
  });

  afterAll(async () => {
    await ctx?.close();
    await mod?.close();
    restore?.();
    await env?.cleanup();
  });

  it('an order holds the wholesale cost; five concurrent taps make one order', async () => {
    const userId = await newUser();
    const before = await botWallet();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        createOrder.execute({ botId, userId, planId, idempotencyKey: `tap:${userId}:${i}` }),
      ),
    );
    expect(new Set(results.map((r) => r.order.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0].order).toMatchObject({ amountMinor: 50000, wholesaleMinor: 1000 + 100 * 50, status: 'pending' });
    expect(await botWallet()).toEqual({ b: before.b, h: before.h + 6000 });
  });

  it('without enough wholesale balance the sale is refused before payment details, nothing created', async () => {
    const poorBot = (await ctx.newBot()).id;
    const poorPlan = (await ctx.newPlan(poorBot, { name: { en: 'P' }, priceMinor: 100 })).id;
    await ctx.setWholesalePrice(poorBot, { perPlanMinor: 500 });
    const u = (await ctx.newUser(poorBot, { telegramId: 1 })).id;
    await expect(
      createOrder.execute({ botId: poorBot, userId: u, planId: poorPlan, idempotencyKey: 'k' }),
    ).rejects.toMatchObject({
      code: ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE,
    });
    expect((await q(`SELECT count(*)::int n FROM orders WHERE bot_id = $1`, [poorBot]))[0]).toEqual({ n: 0 });
    await ctx.topUp(poorBot, 500);
    const ok = await createOrder.execute({ botId: poorBot, userId: u, planId: poorPlan, idempotencyKey: 'k' });
    expect(ok.created).toBe(true);
  });

  it('card payment: idempotent start, receipt, 100 concurrent approvals → one approval, one capture, one job', async () => {
    const userId = await newUser();
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: `o:${userId}` });
    const started = await Promise.all(
      [1, 2, 3].map(() => startCardPayment.execute({ botId, orderId: order.id, by: { userId } })),
    );
    expect(new Set(started.map((s) => s.payment.id)).size).toBe(1);
    const payment = started[0].payment;
    expect(payment.trackingNumber).toMatch(/^C2C-\d{6}-[2-9A-HJKMNP-Z]{6}$/);
    expect(payment.amountMinor).toBe(50000);
    await expect(approveReceipt.execute({ botId, paymentId: payment.id, actor: reviewer })).rejects.toMatchObject({
      code: ErrorCode.CONFLICT,
    });
    await submitReceipt.execute({
      botId,
      userId,
      receipt: { kind: 'photo', fileId: 'F1', fileUniqueId: `U-${userId}` },
    });
    const walletBefore = await botWallet();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        approveReceipt.execute({
          botId,
          paymentId: payment.id,
          actor: { type: i % 2 ? 'tenant_api' : 'bot_admin', id: String(1000 + (i % ADMIN_RACERS)) },
        }),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const o of outcomes)
      if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: ErrorCode.ALREADY_REVIEWED });
    expect(await orderOf(order.id)).toEqual({ status: 'fulfilling' });
    expect(await botWallet()).toEqual({ b: walletBefore.b - 6000, h: walletBefore.h - 6000 });
    const ledger = await q(
      `SELECT type FROM tenant_wallet_ledger WHERE bot_id = $1 AND reference = $2 ORDER BY created_at`,
      [botId, `order:${order.id}`],
    );
    expect(ledger.map((r) => r.type)).toEqual(['hold', 'capture']);
    const subs = await q<{ id: string; status: string }>(
      `SELECT id, status FROM subscriptions WHERE bot_id = $1 AND user_id = $2`,
      [botId, userId],
    );
    expect(subs).toHaveLength(1);
    const job = await jobs
      .queue(QueueName.Provisioning)
      .getJob(jobIdFor(JobName.ProvisionSubscription, [botId, order.id]));
    expect(job?.data).toEqual({ botId, subscriptionId: subs[0].id, orderId: order.id });
    const note = await jobs
      .queue(QueueName.Notifications)
      .getJob(jobIdFor(JobName.SaleNotification, [botId, payment.id, 'receipt_approved', 'once']));
    expect(note?.data).toEqual({ botId, event: 'receipt_approved', paymentId: payment.id });
    const card = await q<{ success_count: number }>(
      `SELECT success_count FROM tenant_payment_cards WHERE bot_id = $1`,
      [botId],
    );
    expect(card[0].success_count).toBe(1);
  });

  it('while an approval is in flight, other reviews answer ALREADY_REVIEWED at once instead of waiting for it', async () => {
    const userId = await newUser();
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: `o:${userId}` });
    const { payment } = await startCardPayment.execute({ botId, orderId: order.id, by: { userId } });
    await submitReceipt.execute({
      botId,
      userId,
      receipt: { kind: 'photo', fileId: 'F-slow', fileUniqueId: `U-${userId}` },
    });
    const db = mod.get(TenantDb);
    let finish!: () => void;
    const held = new Promise<void>((r) => (finish = r));
    let approvedInside!: () => void;
    const approved = new Promise<void>((r) => (approvedInside = r));
    // The winner's transaction stays open (as a slow one on a loaded machine does) until the others have answered:
    // a loser that waited on the payment's row lock would hold its pooled connection all that time (503s under load).
    const first = db.run(botId, async () => {
      await approveReceipt.execute({ botId, paymentId: payment.id, actor: reviewer });
      approvedInside();
      await held;
    });
    await approved;
    const others = Promise.allSettled([
      approveReceipt.execute({ botId, paymentId: payment.id, actor: Actors.tenantApi(botId) }),
      approveReceipt.execute({ botId, paymentId: payment.id, actor: Actors.botAdmin(1000) }),
      rejectReceipt.execute({ botId, paymentId: payment.id, actor: reviewer, reason: 'late' }),
    ]);
    const waited = new Promise<'waited'>((r) => setTimeout(() => r('waited'), 10_000).unref());
    const answered = await Promise.race([others, waited]);
    finish();
    await first;
    expect(answered).not.toBe('waited');
    for (const o of answered as PromiseSettledResult<unknown>[]) {
      expect(o).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.ALREADY_REVIEWED } });
    }
    expect(await orderOf(order.id)).toEqual({ status: 'fulfilling' });
    const reviews = await q<{ n: number }>(
      `SELECT count(*)::int n FROM audit_logs WHERE bot_id = $1 AND target_id = $2 AND action LIKE 'card_payment.%'`,
      [botId, payment.id],
    );
    expect(reviews[0].n).toBe(1);
  });

  it('reject with a reason → resubmit → approve; a photo used before is flagged', async () => {
    const userId = await newUser();
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: `r:${userId}` });
    const { payment } = await startCardPayment.execute({ botId, orderId: order.id, by: { userId } });
    await submitReceipt.execute({
      botId,
      userId,
      receipt: { kind: 'photo', fileId: 'F2', fileUniqueId: `R-${userId}` },
    });
    await expect(
      rejectReceipt.execute({ botId, paymentId: payment.id, actor: reviewer, reason: '  ' }),
    ).rejects.toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
    });
    const rejected = await rejectReceipt.execute({
      botId,
      paymentId: payment.id,
      actor: reviewer,
      reason: 'Amount does not match',
    });
    expect(rejected).toMatchObject({ status: 'rejected', rejectionReason: 'Amount does not match' });
    expect(await orderOf(order.id)).toEqual({ status: 'pending' });
    await expect(
      rejectReceipt.execute({ botId, paymentId: payment.id, actor: reviewer, reason: 'again' }),
    ).rejects.toMatchObject({
      code: ErrorCode.ALREADY_REVIEWED,
    });
    const other = await newUser();
    const o2 = await createOrder.execute({ botId, userId: other, planId, idempotencyKey: `r2:${other}` });
    await startCardPayment.execute({ botId, orderId: o2.order.id, by: AS_TENANT });
    const dup = await submitReceipt.execute({
      botId,
      userId: other,
      receipt: { kind: 'photo', fileId: 'F2b', fileUniqueId: `R-${userId}` },
    });
    expect(dup.isFlagged).toBe(true);
    const resubmitted = await submitReceipt.execute({
      botId,
      userId,
      receipt: {
        kind: 'photo',
        fileId: 'F3',
        fileUniqueId: `R3-${userId}`,
      },
    });
    expect(resubmitted).toMatchObject({ status: 'pending', isFlagged: false, rejectionReason: null });
    await approveReceipt.execute({ botId, paymentId: payment.id, actor: reviewer });
    expect(await orderOf(order.id)).toEqual({ status: 'fulfilling' });
  });

  it('approval writes its jobs to the outbox with the change: none if it rolls back, queued once it commits', async () => {
    const db = mod.get(TenantDb);
    const outboxJobs = async () =>
      (await q<{ job_name: string }>(`SELECT job_name FROM job_outbox WHERE bot_id = $1`, [botId]))
        .map((r) => r.job_name)
        .sort();
    const userId = await newUser();
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: `ob:${userId}` });
    const { payment } = await startCardPayment.execute({ botId, orderId: order.id, by: { userId } });
    await submitReceipt.execute({
      botId,
      userId,
      receipt: { kind: 'photo', fileId: 'F7', fileUniqueId: `O-${userId}` },
    });
    const provisionId = jobIdFor(JobName.ProvisionSubscription, [botId, order.id]);
    const queued = async () => !!(await jobs.queue(QueueName.Provisioning).getJob(provisionId));

    // The approval's transaction fails after the approval: no job row and no job survive it.
    await expect(
      db.run(botId, async (tx) => {
        await approveReceipt.execute({ botId, paymentId: payment.id, actor: reviewer });
        const inside: { job_name: string }[] = await tx.manager.query(
          `SELECT job_name FROM job_outbox WHERE bot_id = $1 ORDER BY job_name`,
          [botId],
        );
        expect(inside.map((r) => r.job_name)).toEqual([JobName.ProvisionSubscription, JobName.SaleNotification]);
        throw new Error('the surrounding work failed');
      }),
    ).rejects.toThrow('the surrounding work failed');
    expect(await orderOf(order.id)).toEqual({ status: 'pending' });
    expect(await queued()).toBe(false);
    expect(await outboxJobs()).toEqual([]);

    // Committed: the provisioning job is queued and the outbox is empty again.
    await approveReceipt.execute({ botId, paymentId: payment.id, actor: reviewer });
    expect(await orderOf(order.id)).toEqual({ status: 'fulfilling' });
    expect(await queued()).toBe(true);
    expect(await outboxJobs()).toEqual([]);
  });

  it("only the bot's admins may review: a non-admin bot_admin gets FORBIDDEN and nothing changes", async () => {
    const userId = await newUser();
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: `p:${userId}` });
    const { payment } = await startCardPayment.execute({ botId, orderId: order.id, by: { userId } });
    await submitReceipt.execute({
      botId,
      userId,
      receipt: { kind: 'photo', fileId: 'F6', fileUniqueId: `P-${userId}` },
    });
    // An admin of another bot is nobody here.
    const otherBot = (await ctx.newBot({ ownerTelegramId: 4242 })).id;
    const state = async () => ({
      payment: (
        await q(`SELECT status, reviewed_by, reviewed_at, rejection_reason FROM card_to_card_payments WHERE id = $1`, [
          payment.id,
        ])
      )[0],
      order: (await q(`SELECT status, paid_at FROM orders WHERE id = $1`, [order.id]))[0],
      wallet: await botWallet(),
      ledger: await q(`SELECT type FROM tenant_wallet_ledger WHERE bot_id = $1 AND reference = $2 ORDER BY type`, [
        botId,
        `order:${order.id}`,
      ]),
      cards: await q(`SELECT success_count, failure_count FROM tenant_payment_cards WHERE bot_id = $1`, [botId]),
      subscriptions: await q(`SELECT id FROM subscriptions WHERE bot_id = $1 AND user_id = $2`, [botId, userId]),
      audit: await q(`SELECT action FROM audit_logs WHERE bot_id = $1 AND target_id = $2`, [botId, payment.id]),
    });
    const before = await state();
    expect(before.payment).toMatchObject({ status: 'pending', reviewed_by: null });
    expect(before.order).toMatchObject({ status: 'pending', paid_at: null });
    expect(before.ledger).toEqual([{ type: 'hold' }]);
    for (const actorId of ['4242', '778', '0', 'not-a-number', `${ADMIN_TG} `, '']) {
      const outsider: Actor = { type: 'bot_admin', id: actorId };
      await expect(approveReceipt.execute({ botId, paymentId: payment.id, actor: outsider })).rejects.toMatchObject({
        code: ErrorCode.FORBIDDEN,
      });
      await expect(
        rejectReceipt.execute({ botId, paymentId: payment.id, actor: outsider, reason: 'Amount does not match' }),
      ).rejects.toMatchObject({
        code: ErrorCode.FORBIDDEN,
      });
    }
    expect(await state()).toEqual(before);
    expect(await policy.isReviewer(botId, ADMIN_TG)).toBe(true);
    expect(await policy.isReviewer(botId, 4242)).toBe(false);
    expect(await policy.isReviewer(otherBot, 4242)).toBe(true);

    await approveReceipt.execute({ botId, paymentId: payment.id, actor: reviewer });
    const after = await state();
    expect(after.payment).toMatchObject({ status: 'approved', reviewed_by: `bot_admin:${ADMIN_TG}` });
    expect(after.order).toMatchObject({ status: 'fulfilling' });
    expect(after.ledger).toEqual([{ type: 'capture' }, { type: 'hold' }]);
    expect(after.audit).toEqual([{ action: 'card_payment.approve' }]);
  });

  it('text receipts are refused while the tenant requires a photo', async () => {
    const userId = await newUser();
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: `t:${userId}` });
    await startCardPayment.execute({ botId, orderId: order.id, by: { userId } });
    await expect(
      submitReceipt.execute({ botId, userId, receipt: { kind: 'text', text: 'paid' } }),
    ).rejects.toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
    });
  });

  it('payments still without a receipt expire after the TTL: order expired, hold released', async () => {
    const userId = await newUser();
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: `e:${userId}` });
    const held = await botWallet();
    const { payment } = await startCardPayment.execute({ botId, orderId: order.id, by: { userId } });
    expect(await expireCardPayments.execute({ botId, now: new Date(Date.now() + 29 * 60_000) })).toEqual([]);
    const expired = await expireCardPayments.execute({ botId, now: new Date(Date.now() + 31 * 60_000) });
    expect(expired.map((p) => p.id)).toContain(payment.id);
    expect(await orderOf(order.id)).toEqual({ status: 'expired' });
    // Every payment past its deadline still waiting for a receipt expired (earlier tests left some), each
    // releasing its hold; receipts under review wait for a decision (apps/worker sale-sweeper.int-spec).
    expect(expired.length).toBeGreaterThanOrEqual(1);
    expect(await botWallet()).toEqual({ b: held.b, h: held.h - 6000 * expired.length });
    const released = await q(
      `SELECT count(*)::int n FROM tenant_wallet_ledger WHERE bot_id = $1 AND idempotency_key = $2`,
      [botId, `order:${order.id}:release`],
    );
    expect(released[0]).toEqual({ n: 1 });
    const usage = await q<{ amount_minor: number }>(
      `SELECT amount_minor::int AS amount_minor FROM card_daily_usage WHERE bot_id = $1`,
      [botId],
    );
    // Only approved payments still count against the card's day (expired ones were given back).
    const approved = await q<{ s: number }>(
      `SELECT coalesce(sum(amount_minor),0)::int s FROM card_to_card_payments WHERE bot_id = $1 AND status IN ('approved','pending','awaiting_receipt','rejected')`,
      [botId],
    );
    expect(usage.reduce((a, r) => a + r.amount_minor, 0)).toBe(approved[0].s);
    await expect(approveReceipt.execute({ botId, paymentId: payment.id, actor: reviewer })).rejects.toMatchObject({
      code: ErrorCode.ALREADY_REVIEWED,
    });
  });

  it('wallet payment goes straight to fulfilment; short balance changes nothing', async () => {
    const userId = await newUser();
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: `w:${userId}` });
    await expect(payFromWallet.execute({ botId, orderId: order.id, by: { userId } })).rejects.toMatchObject({
      code: ErrorCode.INSUFFICIENT_BALANCE,
    });
    expect(await orderOf(order.id)).toEqual({ status: 'pending' });
    await ctx.deposit(botId, userId, 60000);
    const paid = await payFromWallet.execute({ botId, orderId: order.id, by: { userId } });
    expect(paid.status).toBe('fulfilling');
    expect((await q(`SELECT balance_minor::int b FROM users WHERE id = $1`, [userId]))[0]).toEqual({ b: 10000 });
    await expect(payFromWallet.execute({ botId, orderId: order.id, by: { userId } })).rejects.toMatchObject({
      code: ErrorCode.ALREADY_PAID,
    });
  });

  it('different users of one bot order and pay from their wallets at the same moment: every sale goes through', async () => {
    // Each payment writes rows that reference the bot (a KEY SHARE lock) before it locks the bot row for the
    // wholesale capture; a lock that conflicts with KEY SHARE made concurrent payments deadlock.
    const users = await Promise.all(Array.from({ length: 8 }, () => newUser()));
    for (const u of users) await ctx.deposit(botId, u, 50000);
    const before = await botWallet();
    const orders = await Promise.all(
      users.map((userId) => createOrder.execute({ botId, userId, planId, idempotencyKey: `many:${userId}` })),
    );
    const paid = await Promise.all(
      orders.map(({ order }) => payFromWallet.execute({ botId, orderId: order.id, by: AS_TENANT })),
    );
    expect(paid.map((o) => o.status)).toEqual(users.map(() => 'fulfilling'));
    expect(await botWallet()).toEqual({ b: before.b - 8 * 6000, h: before.h });
  });

  it('a user paying finds only their own order; a short wallet is refused with the figures to show', async () => {
    const buyer = await newUser();
    const stranger = await newUser();
    const { order } = await createOrder.execute({ botId, userId: buyer, planId, idempotencyKey: `own:${buyer}` });
    await expect(
      startCardPayment.execute({ botId, orderId: order.id, by: { userId: stranger } }),
    ).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
    });
    await expect(payFromWallet.execute({ botId, orderId: order.id, by: { userId: stranger } })).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
    });
    const payments = async () =>
      (await q<{ n: number }>(`SELECT count(*)::int n FROM card_to_card_payments WHERE order_id = $1`, [order.id]))[0];
    expect(await payments()).toEqual({ n: 0 });
    expect(await orderOf(order.id)).toEqual({ status: 'pending' });

    await expect(payFromWallet.execute({ botId, orderId: order.id, by: { userId: buyer } })).rejects.toMatchObject({
      code: ErrorCode.INSUFFICIENT_BALANCE,
      details: { balanceMinor: 0, requiredMinor: 50000, currency: order.currency },
    });
    const { payment } = await startCardPayment.execute({ botId, orderId: order.id, by: { userId: buyer } });
    expect(payment.orderId).toBe(order.id);
    expect(await payments()).toEqual({ n: 1 });
  });

  it('a receipt goes to the payment the user answered, never to "the newest open one", nor to a stranger\'s', async () => {
    await ctx.topUp(botId, 20_000); // the two orders' holds
    const userId = await newUser();
    const stranger = await newUser();
    const photo = (u: string) => ({ kind: 'photo' as const, fileId: u, fileUniqueId: u });
    // The first receipt is under review when the user orders again (that order is kept), then it is
    // rejected: both payments now take a receipt, the first one's corrected receipt is on its way.
    const o1 = await createOrder.execute({ botId, userId, planId, idempotencyKey: `two1:${userId}` });
    const first = (await startCardPayment.execute({ botId, orderId: o1.order.id, by: { userId } })).payment;
    await submitReceipt.execute({ botId, userId, receipt: photo(`two-0-${userId}`) });
    const otherPlan = (await ctx.newPlan(botId, { name: { en: 'Second' }, priceMinor: 50000 })).id;
    const o2 = await createOrder.execute({ botId, userId, planId: otherPlan, idempotencyKey: `two2:${userId}` });
    const second = (await startCardPayment.execute({ botId, orderId: o2.order.id, by: { userId } })).payment;
    await rejectReceipt.execute({ botId, paymentId: first.id, actor: reviewer, reason: 'Blurry photo' });
    const statuses = async () =>
      (
        await q<{ id: string; status: string }>(
          `SELECT id, status FROM card_to_card_payments WHERE id = ANY($1) ORDER BY created_at`,
          [[first.id, second.id]],
        )
      ).map((r) => r.status);
    expect(await statuses()).toEqual(['rejected', 'awaiting_receipt']);
    // Two payments wait: without saying which, nothing is guessed.
    await expect(submitReceipt.execute({ botId, userId, receipt: photo(`two-a-${userId}`) })).rejects.toMatchObject({
      code: ErrorCode.CONFLICT,
    });
    // Another user answering with this user's tracking number finds nothing.
    await expect(
      submitReceipt.execute({
        botId,
        userId: stranger,
        receipt: photo(`two-s-${userId}`),
        trackingNumber: first.trackingNumber,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(await statuses()).toEqual(['rejected', 'awaiting_receipt']);
    const sent = await submitReceipt.execute({
      botId,
      userId,
      receipt: photo(`two-b-${userId}`),
      trackingNumber: first.trackingNumber,
    });
    expect(sent.id).toBe(first.id);
    expect(await statuses()).toEqual(['pending', 'awaiting_receipt']);
    // With one payment left waiting, a receipt without a reply is for it.
    expect((await submitReceipt.execute({ botId, userId, receipt: photo(`two-c-${userId}`) })).id).toBe(second.id);
  });

  it('a permanent provisioning failure refunds the user and reverses the wholesale charge, once', async () => {
    const userId = await newUser();
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: `f:${userId}` });
    const before = await botWallet();
    const { payment } = await startCardPayment.execute({ botId, orderId: order.id, by: { userId } });
    await submitReceipt.execute({
      botId,
      userId,
      receipt: { kind: 'photo', fileId: 'F5', fileUniqueId: `F-${userId}` },
    });
    await approveReceipt.execute({ botId, paymentId: payment.id, actor: reviewer });
    expect(await botWallet()).toEqual({ b: before.b - 6000, h: before.h - 6000 });
    expect(await fulfilment.failed(botId, order.id, 'panel down')).toBe(true);
    expect(await fulfilment.failed(botId, order.id, 'panel down')).toBe(false);
    expect(await orderOf(order.id)).toEqual({ status: 'refunded' });
    expect((await q(`SELECT balance_minor::int b FROM users WHERE id = $1`, [userId]))[0]).toEqual({ b: 50000 });
    expect(await botWallet()).toEqual({ b: before.b, h: before.h - 6000 });
    const subs = await q(`SELECT status FROM subscriptions WHERE bot_id = $1 AND user_id = $2`, [botId, userId]);
    expect(subs).toEqual([{ status: 'failed' }]);
  });

  it('a card payment left open while the order was paid from the wallet expires alone: no release, no notice', async () => {
    const userId = await newUser();
    await ctx.deposit(botId, userId, 60000);
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: `cw:${userId}` });
    const { payment } = await startCardPayment.execute({ botId, orderId: order.id, by: { userId } });
    await payFromWallet.execute({ botId, orderId: order.id, by: { userId } });
    const expired = await expireCardPayments.execute({ botId, now: new Date(Date.now() + 24 * 3600_000) });
    expect(expired.map((p) => p.id)).toContain(payment.id);
    expect((await q(`SELECT status FROM card_to_card_payments WHERE id = $1`, [payment.id]))[0]).toEqual({
      status: 'expired',
    });
    expect(await orderOf(order.id)).toEqual({ status: 'fulfilling' });
    const moves = await q<{ k: string }>(
      `SELECT idempotency_key k FROM tenant_wallet_ledger WHERE bot_id = $1 AND idempotency_key LIKE $2 ORDER BY k`,
      [botId, `order:${order.id}:%`],
    );
    expect(moves.map((m) => m.k)).toEqual([`order:${order.id}:capture`, `order:${order.id}:hold`]);
    const notice = await jobs
      .queue(QueueName.Notifications)
      .getJob(jobIdFor(JobName.SaleNotification, [botId, payment.id, 'payment_expired', 'once']));
    expect(notice).toBeUndefined();
  });
});
