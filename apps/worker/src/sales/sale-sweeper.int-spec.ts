import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actors } from '@botfleet/common';
import { AuditModule } from '@botfleet/audit';
import { JobQueue, QueueName } from '@botfleet/jobs';
import { SaleSweeps } from '@botfleet/platform';
import {
  ApproveReceiptUseCase,
  CreateOrderUseCase,
  RejectReceiptUseCase,
  SalesModule,
  StartCardPaymentUseCase,
  SubmitReceiptUseCase,
} from '@botfleet/sales';
import { createModuleApp, TestContext, WorkerWorld } from '@botfleet/testing';
import { ProvisioningWorkerModule } from '../provisioning/provisioning-worker.module';
import { JobOutboxRelay } from './job-outbox-relay';
import { SaleSweeper } from './sale-sweeper.service';

const OWNER = 4242;
const MINUTE = 60_000;

describe('the sale sweeper: every order ends (real PostgreSQL and Redis)', () => {
  let world: WorkerWorld;
  let mod: INestApplication;
  let platform: DataSource;
  let ctx: TestContext;
  let sweeper: SaleSweeper;
  let createOrder: CreateOrderUseCase;
  let startCardPayment: StartCardPaymentUseCase;
  let submitReceipt: SubmitReceiptUseCase;
  let approveReceipt: ApproveReceiptUseCase;
  let rejectReceipt: RejectReceiptUseCase;
  let jobs: JobQueue;

  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    platform.query(sql, params) as Promise<T[]>;
  /** The tenant wallet's free balance (balance minus holds) and its holds. */
  const wallet = async (botId: string) => {
    const [r] = await q<{ b: number; h: number }>(
      `SELECT wallet_balance_minor::int b, wallet_held_minor::int h FROM bots WHERE id = $1`,
      [botId],
    );
    return { free: r.b - r.h, held: r.h };
  };
  const statusOf = async (table: 'orders' | 'card_to_card_payments', id: string) =>
    (await q<{ status: string }>(`SELECT status FROM ${table} WHERE id = $1`, [id]))[0].status;
  /** The order's wholesale ledger entries, by type (created_at is each transaction's start, so not an order). */
  const ledgerRows = async (botId: string, orderId: string) =>
    (
      await q<{ type: string }>(
        `SELECT type FROM tenant_wallet_ledger WHERE bot_id = $1 AND reference = $2 ORDER BY type`,
        [botId, `order:${orderId}`],
      )
    ).map((r) => r.type);

  /** A shop that sells: wallet, wholesale price, a plan and a card. */
  const newShop = async (walletMinor = 100_000) => {
    const bot = await ctx.newBot({ ownerTelegramId: OWNER, walletMinor });
    await ctx.setWholesalePrice(bot.id, { perPlanMinor: 1000, perGbMinor: 100 });
    const plan = await ctx.newPlan(bot.id, { name: { en: 'Month' }, priceMinor: 50_000, trafficLimitGb: 10 });
    await ctx.newCard(bot.id);
    return { botId: bot.id, planId: plan.id };
  };

  beforeAll(async () => {
    // 200 shoppers at once queue for 20 pooled connections behind one bot-row lock: on a loaded machine the
    // last ones wait longer than the production default of 2 s for a connection (a 503 to retry in production).
    world = await WorkerWorld.start({ telegram: false, env: { DATABASE_CONNECT_TIMEOUT_MS: '30000' } });
    ({ platform, ctx } = world);
    mod = await world.startWorker(() =>
      createModuleApp({
        imports: [AuditModule, SalesModule, ProvisioningWorkerModule],
        providers: [SaleSweeps, JobOutboxRelay, SaleSweeper],
      }),
    );
    sweeper = mod.get(SaleSweeper);
    createOrder = mod.get(CreateOrderUseCase);
    startCardPayment = mod.get(StartCardPaymentUseCase);
    submitReceipt = mod.get(SubmitReceiptUseCase);
    approveReceipt = mod.get(ApproveReceiptUseCase);
    rejectReceipt = mod.get(RejectReceiptUseCase);
    jobs = mod.get(JobQueue);
  });

  afterAll(() => world?.close());

  it('an order left on the payment-method screen expires at its deadline and its hold returns', async () => {
    const { botId, planId } = await newShop();
    const before = await wallet(botId);
    const userId = (await ctx.newUser(botId)).id;
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: 'left-on-methods' });
    expect(await wallet(botId)).toEqual({ free: before.free - 2000, held: before.held + 2000 });

    await sweeper.sweep();
    expect(await statusOf('orders', order.id)).toBe('pending');

    // The shopper walked away 31 minutes ago: a time the product cannot make now.
    await q(`UPDATE orders SET created_at = now() - interval '31 minutes' WHERE id = $1`, [order.id]);
    await sweeper.sweep();
    expect(await statusOf('orders', order.id)).toBe('expired');
    expect(await wallet(botId)).toEqual(before);
    expect(await ledgerRows(botId, order.id)).toEqual(['hold', 'release']);
    await sweeper.sweep();
    expect(await ledgerRows(botId, order.id)).toEqual(['hold', 'release']);
  });

  it('a card payment left without a receipt still expires at its own deadline, releasing the hold', async () => {
    const { botId, planId } = await newShop();
    const before = await wallet(botId);
    const userId = (await ctx.newUser(botId)).id;
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: 'left-on-card' });
    const { payment } = await startCardPayment.execute({ botId, orderId: order.id, by: { userId } });
    // Both deadlines passed long ago.
    await q(`UPDATE orders SET created_at = now() - interval '2 hours' WHERE id = $1`, [order.id]);
    await q(`UPDATE card_to_card_payments SET expires_at = now() - interval '1 minute' WHERE id = $1`, [payment.id]);
    await sweeper.sweep();
    expect(await statusOf('card_to_card_payments', payment.id)).toBe('expired');
    expect(await statusOf('orders', order.id)).toBe('expired');
    expect(await wallet(botId)).toEqual(before);
  });

  it("taps on several plans hold one order's cost: a new order releases the user's previous one", async () => {
    const { botId, planId } = await newShop();
    const other = await ctx.newPlan(botId, { name: { en: 'Big' }, priceMinor: 90_000, trafficLimitGb: 50 });
    const third = await ctx.newPlan(botId, { name: { en: 'Small' }, priceMinor: 20_000, trafficLimitGb: 1 });
    const before = await wallet(botId);
    const userId = (await ctx.newUser(botId)).id;
    const plans = [planId, other.id, third.id, planId, other.id, third.id];
    const results = await Promise.all(
      plans.map((p, i) => createOrder.execute({ botId, userId, planId: p, idempotencyKey: `tap:${i}:${p}` })),
    );
    const pending = await q<{ id: string; wholesale: number }>(
      `SELECT id, wholesale_minor::int wholesale FROM orders WHERE bot_id = $1 AND user_id = $2 AND status = 'pending'`,
      [botId, userId],
    );
    expect(pending).toHaveLength(1);
    expect(await wallet(botId)).toEqual({ free: before.free - pending[0].wholesale, held: pending[0].wholesale });
    // Every other order of the burst was released exactly once.
    for (const r of results) {
      if (r.order.id === pending[0].id) continue;
      expect(await statusOf('orders', r.order.id)).toBe('expired');
      expect(await ledgerRows(botId, r.order.id)).toEqual(['hold', 'release']);
    }
  });

  it('a new order does not touch a previous one whose receipt is under review', async () => {
    const { botId, planId } = await newShop();
    const userId = (await ctx.newUser(botId)).id;
    const { order } = await createOrder.execute({ botId, userId, planId, idempotencyKey: 'first' });
    const { payment } = await startCardPayment.execute({ botId, orderId: order.id, by: { userId } });
    await submitReceipt.execute({ botId, userId, receipt: { kind: 'photo', fileId: 'F', fileUniqueId: 'first' } });
    const other = await ctx.newPlan(botId, { name: { en: 'Other' }, priceMinor: 10_000, trafficLimitGb: 1 });
    await createOrder.execute({ botId, userId, planId: other.id, idempotencyKey: 'second' });
    expect(await statusOf('card_to_card_payments', payment.id)).toBe('pending');
    expect(await statusOf('orders', order.id)).toBe('pending');
    expect(await ledgerRows(botId, order.id)).toEqual(['hold']);
  });

  it('a receipt under review outlives the payment deadline: no expiry, the hold stays, Approve still works', async () => {
    const { botId } = await newShop();
    const ordered = await ctx.newReceiptToReview(botId);
    const held = await wallet(botId);
    // The admins have not acted for an hour: the old deadline and the order's deadline are long past.
    await q(`UPDATE card_to_card_payments SET expires_at = now() - interval '30 minutes' WHERE id = $1`, [
      ordered.paymentId,
    ]);
    await q(`UPDATE orders SET created_at = now() - interval '1 hour' WHERE id = $1`, [ordered.orderId]);
    await sweeper.sweep();
    expect(await statusOf('card_to_card_payments', ordered.paymentId)).toBe('pending');
    expect(await statusOf('orders', ordered.orderId)).toBe('pending');
    expect(await wallet(botId)).toEqual(held);
    const expiredNotices = await notices(botId, ordered.paymentId, 'payment_expired');
    expect(expiredNotices).toHaveLength(0);

    await approveReceipt.execute({ botId, paymentId: ordered.paymentId, actor: Actors.botAdmin(OWNER) });
    expect(await statusOf('card_to_card_payments', ordered.paymentId)).toBe('approved');
    expect(await statusOf('orders', ordered.orderId)).toBe('fulfilling');
    expect(await ledgerRows(botId, ordered.orderId)).toEqual(['capture', 'hold']);
  });

  it('a receipt rejected after the old deadline leaves the user a full window to send another', async () => {
    const { botId } = await newShop();
    const ordered = await ctx.newReceiptToReview(botId);
    // The review comes an hour late: the payment's deadline passed while the receipt waited.
    await q(`UPDATE card_to_card_payments SET expires_at = now() - interval '30 minutes' WHERE id = $1`, [
      ordered.paymentId,
    ]);
    await rejectReceipt.execute({
      botId,
      paymentId: ordered.paymentId,
      actor: Actors.botAdmin(OWNER),
      reason: 'unreadable',
    });
    await sweeper.sweep();
    expect(await statusOf('card_to_card_payments', ordered.paymentId)).toBe('rejected');
    const again = await submitReceipt.execute({
      botId,
      userId: ordered.userId,
      receipt: { kind: 'photo', fileId: 'F2', fileUniqueId: 'again' },
    });
    expect(again).toMatchObject({ id: ordered.paymentId, status: 'pending' });
  });

  it('a receipt waiting for review reminds the admins after 30 min and 2 h, then the owner — each once', async () => {
    const { botId } = await newShop();
    const ordered = await ctx.newReceiptToReview(botId);
    const t0 = Date.now();
    const at = (minutes: number) => sweeper.sweepAt(new Date(t0 + minutes * MINUTE));
    const reminders = async () =>
      (await notices(botId, ordered.paymentId, 'review_reminder')).map((d) => d.reminder).sort();

    await at(29);
    expect(await reminders()).toEqual([]);
    await at(31);
    await at(32);
    expect(await reminders()).toEqual([1]);
    await at(121);
    await Promise.all([at(122), at(123)]);
    expect(await reminders()).toEqual([1, 2]);
    await at(361);
    await at(2000);
    expect(await reminders()).toEqual([1, 2, 3]);
    expect(await statusOf('card_to_card_payments', ordered.paymentId)).toBe('pending');
    expect(await statusOf('orders', ordered.orderId)).toBe('pending');
  });

  it('200 shoppers each tap a plan at once and leave: after the deadline the free balance is back', async () => {
    const { botId, planId } = await newShop(1_000_000);
    const users: string[] = [];
    for (let i = 0; i < 200; i++) users.push((await ctx.newUser(botId)).id);
    const before = await wallet(botId);
    const outcomes = await Promise.allSettled(
      users.map((userId) => createOrder.execute({ botId, userId, planId, idempotencyKey: `shopper:${userId}` })),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(await wallet(botId)).toEqual({ free: before.free - 200 * 2000, held: before.held + 200 * 2000 });

    await sweeper.sweepAt(new Date(Date.now() + 29 * MINUTE));
    expect((await wallet(botId)).held).toBe(before.held + 200 * 2000);
    await sweeper.sweepAt(new Date(Date.now() + 31 * MINUTE));
    expect(await wallet(botId)).toEqual(before);
    const [left] = await q<{ n: number }>(
      `SELECT count(*)::int n FROM orders WHERE bot_id = $1 AND status = 'pending'`,
      [botId],
    );
    expect(left.n).toBe(0);
  });

  /** Sale notices queued for a payment (through the outbox, after the commit). */
  async function notices(botId: string, paymentId: string, event: string): Promise<{ reminder?: number }[]> {
    const all = await jobs
      .queue(QueueName.Notifications)
      .getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
    return all
      .filter((j) => j?.data?.botId === botId && j.data.paymentId === paymentId && j.data.event === event)
      .map((j) => j.data as { reminder?: number });
  }
});
