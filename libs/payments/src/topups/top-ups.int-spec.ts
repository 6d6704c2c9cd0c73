import { DataSource } from 'typeorm';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import {
  ApproveReceiptUseCase,
  cardTopUpDepositKey,
  ExpireCardPaymentsUseCase,
  PayFromWalletUseCase,
  PendingOrders,
  RejectReceiptUseCase,
  SubmitReceiptUseCase,
} from '@botfleet/sales';
import { createTestEnv, platformOf, TestContext, TestEnv } from '@botfleet/testing';
import { StartCardTopUpUseCase } from './start-card-top-up.use-case';
import { WalletQueries } from './wallet-queries.service';

const OWNER_TG = 7_300_001;
const MIN = 10_000;
const MAX = 2_000_000;

/** Wallet top-ups paid card to card, through the sale's receipt review (real PostgreSQL and Redis). */
describe('card top-ups: one review path, one deposit', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let platform: DataSource;
  let botId: string;

  beforeAll(async () => {
    env = await createTestEnv();
    ctx = await TestContext.create({ env, jobs: 'detached' });
    platform = await platformOf(env);
    botId = (await ctx.newBot({ ownerTelegramId: OWNER_TG, walletMinor: 1_000_000 })).id;
    await ctx.newCard(botId, { cardNumber: '6037990000000006', cardHolderName: 'Ali' });
    await ctx.get(FeaturesService).set(botId, 'wallet', true, { minTopUpMinor: MIN, maxTopUpMinor: MAX });
  });

  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
  });

  const start = (userId: string, amountMinor: number, forOrderId?: string) =>
    ctx.get(StartCardTopUpUseCase).execute({ botId, userId, amountMinor, forOrderId });
  const sendReceipt = (userId: string, trackingNumber: string) =>
    ctx.get(SubmitReceiptUseCase).execute({
      botId,
      userId,
      receipt: { kind: 'photo', fileId: `F-${trackingNumber}`, fileUniqueId: `U-${trackingNumber}` },
      trackingNumber,
    });
  const approve = (paymentId: string) =>
    ctx.get(ApproveReceiptUseCase).execute({ botId, paymentId, actor: Actors.botAdmin(OWNER_TG) });
  const balance = async (userId: string) =>
    Number((await platform.query(`SELECT balance_minor FROM users WHERE id = $1`, [userId]))[0].balance_minor);
  const ledger = async (userId: string) =>
    (await platform.query(
      `SELECT type, amount_minor::int AS amount, idempotency_key AS key FROM transactions WHERE user_id = $1`,
      [userId],
    )) as { type: string; amount: number; key: string }[];
  const topUpRows = async (userId: string) =>
    Number(
      (await platform.query(`SELECT count(*)::int n FROM card_to_card_payments WHERE user_id = $1`, [userId]))[0].n,
    );

  it('a top-up receipt approved twice at once deposits once; the loser is told ALREADY_REVIEWED', async () => {
    const userId = (await ctx.newUser(botId)).id;
    const { payment, created } = await start(userId, 150_000);
    expect(created).toBe(true);
    expect(payment).toMatchObject({
      purpose: 'topup',
      orderId: null,
      status: 'awaiting_receipt',
      amountMinor: 150_000,
    });
    await sendReceipt(userId, payment.trackingNumber);

    const results = await Promise.allSettled([approve(payment.id), approve(payment.id), approve(payment.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(DomainError.is(r.reason, ErrorCode.ALREADY_REVIEWED)).toBe(true);
    }
    expect(await ledger(userId)).toEqual([{ type: 'deposit', amount: 150_000, key: cardTopUpDepositKey(payment.id) }]);
    expect(await balance(userId)).toBe(150_000);
    const [row] = await platform.query(`SELECT status FROM card_to_card_payments WHERE id = $1`, [payment.id]);
    expect(row.status).toBe('approved');
    // No order was made or touched by a top-up.
    expect((await platform.query(`SELECT count(*)::int n FROM orders WHERE user_id = $1`, [userId]))[0].n).toBe(0);
  });

  it('a rejected top-up receipt deposits nothing; a new receipt may follow and its approval deposits once', async () => {
    const userId = (await ctx.newUser(botId)).id;
    const { payment } = await start(userId, 50_000);
    await sendReceipt(userId, payment.trackingNumber);
    const rejected = await ctx
      .get(RejectReceiptUseCase)
      .execute({ botId, paymentId: payment.id, actor: Actors.botAdmin(OWNER_TG), reason: 'not received' });
    expect(rejected.status).toBe('rejected');
    expect(await ledger(userId)).toEqual([]);
    expect(await balance(userId)).toBe(0);

    await sendReceipt(userId, payment.trackingNumber);
    await approve(payment.id);
    expect(await balance(userId)).toBe(50_000);
    expect(await ledger(userId)).toHaveLength(1);
  });

  it.each([
    ['below the minimum', MIN - 1],
    ['above the maximum', MAX + 1],
    ['zero', 0],
    ['negative', -5_000],
    ['not an integer', 12_345.5],
  ])('an amount %s is refused with VALIDATION_FAILED naming amountMinor, and nothing is written', async (_, amount) => {
    const userId = (await ctx.newUser(botId)).id;
    const usage = await platform.query(`SELECT * FROM card_daily_usage WHERE bot_id = $1 ORDER BY card_id`, [botId]);
    const err = await start(userId, amount).catch((e: unknown) => e);
    expect(DomainError.is(err, ErrorCode.VALIDATION_FAILED)).toBe(true);
    expect((err as DomainError).details).toEqual([
      { field: 'amountMinor', errors: [expect.stringContaining(`${MIN}`)] },
    ]);
    expect(await topUpRows(userId)).toBe(0);
    expect(await platform.query(`SELECT * FROM card_daily_usage WHERE bot_id = $1 ORDER BY card_id`, [botId])).toEqual(
      usage,
    );
  });

  it('five concurrent taps on one amount make one payment; another amount replaces the waiting one', async () => {
    const userId = (await ctx.newUser(botId)).id;
    const taps = await Promise.all(Array.from({ length: 5 }, () => start(userId, 70_000)));
    expect(new Set(taps.map((t) => t.payment.id)).size).toBe(1);
    expect(taps.filter((t) => t.created)).toHaveLength(1);
    const other = await start(userId, 80_000);
    expect(other.created).toBe(true);
    const rows = await platform.query(
      `SELECT amount_minor::int a, status FROM card_to_card_payments WHERE user_id = $1 ORDER BY created_at`,
      [userId],
    );
    expect(rows).toEqual([
      { a: 70_000, status: 'expired' },
      { a: 80_000, status: 'awaiting_receipt' },
    ]);
  });

  it('a top-up for an order must name the user’s own pending order', async () => {
    const mine = await ctx.newOrder(botId, { plan: { priceMinor: 90_000 } });
    const stranger = (await ctx.newUser(botId)).id;
    await expect(start(stranger, 90_000, mine.orderId)).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    expect(await topUpRows(stranger)).toBe(0);
    const { payment } = await start(mine.userId, 90_000, mine.orderId);
    expect(payment.forOrderId).toBe(mine.orderId);
  });

  it('the order a top-up was started for is not swept as unpaid while the top-up is open; after the deposit it is paid from the wallet', async () => {
    const pending = await ctx.newOrder(botId, { plan: { priceMinor: 120_000 } });
    await ctx.deposit(botId, pending.userId, 20_000);
    const { payment } = await start(pending.userId, 100_000, pending.orderId);
    const farFuture = new Date(Date.now() + 365 * 86_400_000);
    const overdue = await ctx.get(PendingOrders).overdue(botId, farFuture);
    expect(overdue.map((o) => o.id)).not.toContain(pending.orderId);

    await sendReceipt(pending.userId, payment.trackingNumber);
    await approve(payment.id);
    expect(await balance(pending.userId)).toBe(120_000);
    const toPay = await ctx.get(WalletQueries).orderToPayAfterTopUp(botId, pending.userId, pending.orderId);
    expect(toPay?.order.id).toBe(pending.orderId);
    // Nothing is paid silently: the order waits for the user's answer.
    const [before] = await platform.query(`SELECT status FROM orders WHERE id = $1`, [pending.orderId]);
    expect(before.status).toBe('pending');
    await ctx.get(PayFromWalletUseCase).execute({ botId, orderId: pending.orderId, by: { userId: pending.userId } });
    const [after] = await platform.query(`SELECT status FROM orders WHERE id = $1`, [pending.orderId]);
    expect(after.status).toBe('fulfilling');
    expect(await balance(pending.userId)).toBe(0);
  });

  it('a top-up past its deadline without a receipt expires alone: no order is touched, nothing deposited', async () => {
    const userId = (await ctx.newUser(botId)).id;
    const { payment } = await start(userId, 30_000);
    const expired = await ctx
      .get(ExpireCardPaymentsUseCase)
      .execute({ botId, now: new Date(payment.expiresAt.getTime() + 1_000) });
    expect(expired.map((p) => p.id)).toContain(payment.id);
    const [row] = await platform.query(`SELECT status FROM card_to_card_payments WHERE id = $1`, [payment.id]);
    expect(row.status).toBe('expired');
    expect(await ledger(userId)).toEqual([]);
  });

  it('the history lists the user’s top-ups, newest first, with their status', async () => {
    const userId = (await ctx.newUser(botId)).id;
    const first = await start(userId, 40_000);
    await sendReceipt(userId, first.payment.trackingNumber);
    await approve(first.payment.id);
    const second = await start(userId, 60_000);
    const page = await ctx.get(WalletQueries).topUps(botId, userId, 1, 10);
    expect(page.total).toBe(2);
    expect(page.items.map((t) => [t.id, t.method, t.amountMinor, t.status])).toEqual([
      [second.payment.id, 'card_to_card', 60_000, 'open'],
      [first.payment.id, 'card_to_card', 40_000, 'credited'],
    ]);
    expect(page.items[1].creditedAt).toBeInstanceOf(Date);
    const movements = await ctx.get(WalletQueries).movements(botId, userId, 1, 5);
    expect(movements.items.map((m) => [m.type, m.amountMinor])).toEqual([['deposit', 40_000]]);
  });
});
