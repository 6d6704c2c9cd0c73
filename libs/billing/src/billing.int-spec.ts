import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { ClsModule, ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { ErrorCode } from '@botfleet/common';
import { BotSelfRepository, TenantDb, TenantRepositories, WholesaleWalletRepository } from '@botfleet/dal';
import { TestContext, TestDatabase } from '@botfleet/testing';
import { OrderHooks, OrdersService } from './orders.service';
import { UserLedgerService } from './user-ledger.service';
import { WholesaleWalletService } from './wholesale-wallet.service';

describe('billing: ledgers, wholesale holds and order moves (real PostgreSQL)', () => {
  let ctx: TestContext;
  let db: TestDatabase;
  let platform: DataSource;
  let tenantDb: TenantDb;
  let ledger: UserLedgerService;
  let wallet: WholesaleWalletService;
  let orders: OrdersService;
  let botId: string;
  let otherBot: string;

  const newUser = async (bot = botId) => (await ctx.newUser(bot)).id;
  /** A bare pending order with nothing held yet: the wallet calls under test make the hold themselves. */
  const newOrder = async (userId: string) => {
    const { id: planId } = await ctx.newPlan(botId);
    const id = randomUUID();
    await platform.query(
      `INSERT INTO orders (id, bot_id, user_id, plan_id, amount_minor, currency, period_days, idempotency_key) VALUES ($1,$2,$3,$4,1000,'IRR',30,$5)`,
      [id, botId, userId, planId, randomUUID()],
    );
    return id;
  };
  const botRow = async () =>
    (
      await platform.query(
        `SELECT wallet_balance_minor::int AS b, wallet_held_minor::int AS h, traffic_sold_bytes::bigint AS t FROM bots WHERE id = $1`,
        [botId],
      )
    )[0];

  beforeAll(async () => {
    ctx = await TestContext.create();
    db = ctx.env.db;
    platform = await db.platform();
    const mod = await Test.createTestingModule({ imports: [ClsModule.forRoot({ global: true })] }).compile();
    tenantDb = new TenantDb(await db.app(), mod.get(ClsService));
    ledger = new UserLedgerService(tenantDb);
    wallet = new WholesaleWalletService(
      tenantDb,
      new WholesaleWalletRepository(tenantDb),
      new BotSelfRepository(tenantDb),
    );
    orders = new OrdersService(new TenantRepositories(tenantDb), new OrderHooks());
    botId = (await ctx.newBot()).id;
    otherBot = (await ctx.newBot()).id;
  });
  afterAll(() => ctx?.close());

  describe('user ledger', () => {
    it('credits and debits through ledger rows; replaying a key adds nothing', async () => {
      const u = await newUser();
      const a = await ledger.post(botId, { userId: u, type: 'deposit', amountMinor: 500, idempotencyKey: 'dep:1' });
      expect(a.applied).toBe(true);
      expect(a.entry.balanceAfterMinor).toBe(500);
      const again = await ledger.post(botId, { userId: u, type: 'deposit', amountMinor: 500, idempotencyKey: 'dep:1' });
      expect(again.applied).toBe(false);
      expect(again.entry.id).toBe(a.entry.id);
      const b = await ledger.post(botId, {
        userId: u,
        type: 'purchase',
        amountMinor: -200,
        idempotencyKey: 'order:x:purchase',
      });
      expect(b.entry.balanceAfterMinor).toBe(300);
      expect(await ledger.balance(botId, u)).toBe(300);
    });

    it('refuses to overdraw and changes nothing', async () => {
      const u = await newUser();
      await ledger.post(botId, { userId: u, type: 'deposit', amountMinor: 100, idempotencyKey: `d:${u}` });
      await expect(
        ledger.post(botId, { userId: u, type: 'purchase', amountMinor: -101, idempotencyKey: `p:${u}` }),
      ).rejects.toMatchObject({ code: ErrorCode.INSUFFICIENT_BALANCE });
      expect(await ledger.balance(botId, u)).toBe(100);
      const rows = await platform.query(`SELECT count(*)::int AS n FROM transactions WHERE user_id = $1`, [u]);
      expect(rows[0].n).toBe(1);
    });

    it('the same key with another amount is refused', async () => {
      const u = await newUser();
      await ledger.post(botId, { userId: u, type: 'deposit', amountMinor: 10, idempotencyKey: `k:${u}` });
      await expect(
        ledger.post(botId, { userId: u, type: 'deposit', amountMinor: 11, idempotencyKey: `k:${u}` }),
      ).rejects.toMatchObject({ code: ErrorCode.IDEMPOTENCY_KEY_REUSED });
    });

    it('50 concurrent postings: distinct keys all apply, one key applies once', async () => {
      const u = await newUser();
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          ledger.post(botId, { userId: u, type: 'deposit', amountMinor: 10, idempotencyKey: `c:${u}:${i}` }),
        ),
      );
      const same = await Promise.all(
        Array.from({ length: 20 }, () =>
          ledger.post(botId, { userId: u, type: 'deposit', amountMinor: 7, idempotencyKey: `same:${u}` }),
        ),
      );
      expect(same.filter((r) => r.applied)).toHaveLength(1);
      expect(await ledger.balance(botId, u)).toBe(307);
      const sum = await platform.query(
        `SELECT sum(amount_minor)::int AS s, count(*)::int AS n FROM transactions WHERE user_id = $1`,
        [u],
      );
      expect(sum[0]).toEqual({ s: 307, n: 31 });
    });

    it("cannot post for another bot's user", async () => {
      const foreign = await newUser(otherBot);
      await expect(
        ledger.post(botId, { userId: foreign, type: 'deposit', amountMinor: 1, idempotencyKey: `f:${foreign}` }),
      ).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    });
  });

  describe('tenant wholesale wallet', () => {
    beforeAll(async () => {
      await ctx.topUp(botId, 1000);
    });

    it('hold → capture moves money once; replays change nothing', async () => {
      const o = await newOrder(await newUser());
      expect((await wallet.hold(botId, o, 300)).applied).toBe(true);
      expect(await botRow()).toMatchObject({ b: 1000, h: 300 });
      expect((await wallet.hold(botId, o, 300)).applied).toBe(false);
      expect((await wallet.capture(botId, o, 5 * 1024 ** 3)).applied).toBe(true);
      expect((await wallet.capture(botId, o, 5 * 1024 ** 3)).applied).toBe(false);
      expect((await wallet.release(botId, o)).applied).toBe(false);
      const row = await botRow();
      expect(row).toMatchObject({ b: 700, h: 0 });
      expect(Number(row.t)).toBe(5 * 1024 ** 3);
    });

    it('hold → release frees the amount once the order has ended; a capture after a release is refused', async () => {
      const o = await newOrder(await newUser());
      await wallet.hold(botId, o, 200);
      expect(await botRow()).toMatchObject({ b: 700, h: 200 });
      // The order can still be paid: its hold stays.
      await expect(wallet.release(botId, o)).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
      expect(await botRow()).toMatchObject({ b: 700, h: 200 });
      await orders.transition(botId, o, 'pending', 'expired');
      expect((await wallet.release(botId, o)).applied).toBe(true);
      await expect(wallet.capture(botId, o)).rejects.toMatchObject({
        code: ErrorCode.CONFLICT,
        message: expect.stringMatching(/released/),
      });
      expect(await botRow()).toMatchObject({ b: 700, h: 0 });
    });

    it('refuses a hold the free balance cannot cover, and concurrent holds never overspend', async () => {
      const u = await newUser();
      await expect(wallet.hold(botId, await newOrder(u), 701)).rejects.toMatchObject({
        code: ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE,
      });
      const ids = await Promise.all(Array.from({ length: 10 }, () => newOrder(u)));
      const results = await Promise.allSettled(ids.map((o) => wallet.hold(botId, o, 100)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
      expect(await botRow()).toMatchObject({ b: 700, h: 700 });
      const ledgerRows = await platform.query(
        `SELECT count(*)::int AS n FROM tenant_wallet_ledger WHERE bot_id = $1 AND type = 'hold'`,
        [botId],
      );
      expect(ledgerRows[0].n).toBe(9);
      for (const o of ids) await orders.transition(botId, o, 'pending', 'expired');
      await Promise.all(ids.map((o) => wallet.release(botId, o)));
      expect(await botRow()).toMatchObject({ b: 700, h: 0 });
    });
  });

  describe('orders', () => {
    it('a move is conditional: of 20 concurrent pending→paid, exactly one wins', async () => {
      const o = await newOrder(await newUser());
      const results = await Promise.all(
        Array.from({ length: 20 }, () => orders.transition(botId, o, 'pending', 'paid', { paidAt: new Date() })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      await expect(orders.transitionOrThrow(botId, o, 'pending', 'paid')).rejects.toMatchObject({
        code: ErrorCode.ALREADY_PAID,
      });
      expect((await orders.get(botId, o))?.status).toBe('paid');
    });

    it('illegal moves are refused outright', async () => {
      const o = await newOrder(await newUser());
      await expect(orders.transition(botId, o, 'pending', 'fulfilled')).rejects.toThrow('cannot move');
    });
  });
});
