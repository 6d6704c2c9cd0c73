import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { ClsModule, ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { ErrorCode } from '@botfleet/common';
import { ConfigurationsService } from '@botfleet/catalog';
import { BotSelfRepository, BotStatsRepository, ConfigurationRepository, TenantDb } from '@botfleet/dal';
import { TestContext, TestDatabase } from '@botfleet/testing';
import { BotStatsService } from './bot-stats.service';

describe('bot stats: sales, revenue, new users by day of a UTC shop (real PostgreSQL, RLS)', () => {
  let ctx: TestContext;
  let db: TestDatabase;
  let platform: DataSource;
  let service: BotStatsService;
  let botA: string;
  let botB: string;
  const planOf = new Map<string, string>();
  const GiB = 1024 ** 3;

  const addUser = async (botId: string, createdAt: string) => {
    const id = randomUUID();
    await platform.query(
      `INSERT INTO users (id, bot_id, telegram_id, referral_code, created_at) VALUES ($1,$2,$3,$4,$5)`,
      [id, botId, Math.floor(Math.random() * 1e12), randomUUID().slice(0, 8), createdAt],
    );
    return id;
  };
  const addOrder = async (
    botId: string,
    userId: string,
    o: { status: string; amount: number; paidAt: string | null; createdAt?: string; currency?: string },
  ) => {
    await platform.query(
      `INSERT INTO orders (bot_id, user_id, plan_id, status, amount_minor, currency, period_days, idempotency_key, paid_at, created_at)
       VALUES ($1,$2,$3,$4,$5,$9,30,$6,$7,$8)`,
      [
        botId,
        userId,
        planOf.get(botId),
        o.status,
        o.amount,
        randomUUID(),
        o.paidAt,
        o.createdAt ?? o.paidAt ?? '2025-03-01T00:00:00Z',
        o.currency ?? (botId === botA ? 'USD' : 'IRR'),
      ],
    );
  };
  const addSubscription = async (botId: string, userId: string, status: string) => {
    await platform.query(`INSERT INTO subscriptions (bot_id, user_id, plan_id, status) VALUES ($1,$2,$3,$4)`, [
      botId,
      userId,
      planOf.get(botId),
      status,
    ]);
  };

  beforeAll(async () => {
    ctx = await TestContext.create();
    db = ctx.env.db;
    // Days are UTC days whatever the server's time zone: give every new session one 3.5 h east of UTC,
    // so grouping by the session's local day would move the late-evening sales below to the next day.
    const owner = await db.owner();
    await owner.query(`ALTER DATABASE "${db.name}" SET timezone TO 'Asia/Tehran'`);
    platform = await db.platform();
    const mod = await Test.createTestingModule({ imports: [ClsModule.forRoot({ global: true })] }).compile();
    const tenantDb = new TenantDb(await db.app(), mod.get(ClsService));
    service = new BotStatsService(
      tenantDb,
      new BotSelfRepository(tenantDb),
      new BotStatsRepository(tenantDb),
      new ConfigurationRepository(tenantDb),
    );
    botA = (await ctx.newBot({ name: 'A', currency: 'USD' })).id;
    botB = (await ctx.newBot({ name: 'B', currency: 'IRR' })).id;
    // These shops count UTC days (a shop's days follow its time_zone; Asia/Tehran unless set).
    for (const bot of [botA, botB]) await ctx.get(ConfigurationsService).set(bot, 'time_zone', 'UTC');
    // The traffic counters and the dated history below are what months of sales leave: arranged by hand.
    await platform.query(
      `UPDATE bots SET currency = 'USD', traffic_sold_bytes = $2, traffic_consumed_bytes = 123456789 WHERE id = $1`,
      [botA, 5 * GiB],
    );
    await platform.query(
      `UPDATE bots SET currency = 'IRR', traffic_sold_bytes = $2, traffic_consumed_bytes = 987654321 WHERE id = $1`,
      [botB, 70 * GiB],
    );
    for (const bot of [botA, botB]) planOf.set(bot, (await ctx.newPlan(bot)).id);

    // Bot A, range 2025-03-01 .. 2025-03-07.
    const a1 = await addUser(botA, '2025-03-01T00:00:00Z'); // first instant of the range
    const a2 = await addUser(botA, '2025-03-03T10:00:00Z');
    await addUser(botA, '2025-03-03T23:59:59.999Z');
    const before = await addUser(botA, '2025-02-28T23:59:59.999Z'); // the instant before the range
    await addUser(botA, '2025-03-08T00:00:00Z'); // the instant after it
    // Counted: paid, fulfilling, fulfilled with paid_at in the range, on the day of paid_at.
    await addOrder(botA, a1, { status: 'fulfilled', amount: 1000, paidAt: '2025-03-01T00:00:00Z' });
    await addOrder(botA, a1, { status: 'paid', amount: 2500, paidAt: '2025-03-01T21:00:00Z' }); // 00:30 in Tehran
    await addOrder(botA, a2, {
      status: 'fulfilling',
      amount: 700,
      paidAt: '2025-03-03T08:00:00Z',
      createdAt: '2025-02-20T08:00:00Z', // created before the range: the sale is the payment day
    });
    await addOrder(botA, a2, { status: 'fulfilled', amount: 300, paidAt: '2025-03-07T23:59:59.999Z' });
    // Sold before the tenant switched currency: a sale, but its amount is not added to USD revenue.
    await addOrder(botA, a2, { status: 'fulfilled', amount: 9_999, paidAt: '2025-03-05T12:00:00Z', currency: 'EUR' });
    // Not counted: paid outside the range, refunded, failed, never paid.
    await addOrder(botA, before, {
      status: 'fulfilled',
      amount: 90_000,
      paidAt: '2025-03-08T00:00:00Z',
      createdAt: '2025-03-05T00:00:00Z',
    });
    await addOrder(botA, before, { status: 'fulfilled', amount: 90_000, paidAt: '2025-02-28T23:59:59.999Z' });
    await addOrder(botA, a1, { status: 'refunded', amount: 50_000, paidAt: '2025-03-02T10:00:00Z' });
    await addOrder(botA, a1, { status: 'failed', amount: 50_000, paidAt: '2025-03-02T11:00:00Z' });
    await addOrder(botA, a2, { status: 'pending', amount: 50_000, paidAt: null, createdAt: '2025-03-02T12:00:00Z' });
    await addOrder(botA, a2, { status: 'rejected', amount: 50_000, paidAt: null, createdAt: '2025-03-04T12:00:00Z' });
    await addOrder(botA, a2, { status: 'expired', amount: 50_000, paidAt: null, createdAt: '2025-03-05T12:00:00Z' });
    await addSubscription(botA, a1, 'active');
    await addSubscription(botA, a2, 'active');
    await addSubscription(botA, a2, 'expired');
    await addSubscription(botA, before, 'pending');
    await addSubscription(botA, before, 'disabled');

    // Bot B: busy on the very days A is quiet (and on A's days too); none of it may count for A.
    const b1 = await addUser(botB, '2025-03-02T09:00:00Z');
    const b2 = await addUser(botB, '2025-03-04T09:00:00Z');
    await addUser(botB, '2025-03-01T09:00:00Z');
    await addOrder(botB, b1, { status: 'fulfilled', amount: 100_000, paidAt: '2025-03-02T09:30:00Z' });
    await addOrder(botB, b2, { status: 'paid', amount: 200_000, paidAt: '2025-03-04T09:30:00Z' });
    await addOrder(botB, b2, { status: 'fulfilled', amount: 400_000, paidAt: '2025-03-01T09:30:00Z' });
    for (const u of [b1, b2, b2]) await addSubscription(botB, u, 'active');
  });
  afterAll(() => ctx?.close());

  it("counts bot A's sales, revenue and new users on every UTC day, zeros included", async () => {
    const s = await service.stats(botA, { from: '2025-03-01', to: '2025-03-07' });
    expect(s).toEqual({
      from: '2025-03-01',
      to: '2025-03-07',
      timeZone: 'UTC',
      currency: 'USD',
      totals: {
        sales: 5,
        revenueMinor: 4500,
        discountMinor: 0,
        wholesaleMinor: 0,
        newUsers: 3,
        activeSubscriptions: 2,
        trafficSoldBytes: 5 * GiB,
        trafficConsumedBytes: 123456789,
      },
      byDay: [
        { date: '2025-03-01', sales: 2, revenueMinor: 3500, newUsers: 1 },
        { date: '2025-03-02', sales: 0, revenueMinor: 0, newUsers: 0 },
        { date: '2025-03-03', sales: 1, revenueMinor: 700, newUsers: 2 },
        { date: '2025-03-04', sales: 0, revenueMinor: 0, newUsers: 0 },
        { date: '2025-03-05', sales: 1, revenueMinor: 0, newUsers: 0 },
        { date: '2025-03-06', sales: 0, revenueMinor: 0, newUsers: 0 },
        { date: '2025-03-07', sales: 1, revenueMinor: 300, newUsers: 0 },
      ],
    });
  });

  it("bot B sees only its own rows, and A's never count for it", async () => {
    const s = await service.stats(botB, { from: '2025-03-01', to: '2025-03-04' });
    expect(s).toEqual({
      from: '2025-03-01',
      to: '2025-03-04',
      timeZone: 'UTC',
      currency: 'IRR',
      totals: {
        sales: 3,
        revenueMinor: 700_000,
        discountMinor: 0,
        wholesaleMinor: 0,
        newUsers: 3,
        activeSubscriptions: 3,
        trafficSoldBytes: 70 * GiB,
        trafficConsumedBytes: 987654321,
      },
      byDay: [
        { date: '2025-03-01', sales: 1, revenueMinor: 400_000, newUsers: 1 },
        { date: '2025-03-02', sales: 1, revenueMinor: 100_000, newUsers: 1 },
        { date: '2025-03-03', sales: 0, revenueMinor: 0, newUsers: 0 },
        { date: '2025-03-04', sales: 1, revenueMinor: 200_000, newUsers: 1 },
      ],
    });
  });

  it('a single day, and a range with no activity at all, are listed day by day with zeros', async () => {
    const one = await service.stats(botA, { from: '2025-03-07', to: '2025-03-07' });
    expect(one.byDay).toEqual([{ date: '2025-03-07', sales: 1, revenueMinor: 300, newUsers: 0 }]);
    const empty = await service.stats(botA, { from: '2024-02-27', to: '2024-03-01' });
    expect(empty.byDay).toEqual(
      ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01'].map((date) => ({
        date,
        sales: 0,
        revenueMinor: 0,
        newUsers: 0,
      })),
    );
    expect(empty.totals).toMatchObject({ sales: 0, revenueMinor: 0, newUsers: 0, activeSubscriptions: 2 });
  });

  it('defaults to the 30 days ending today (UTC), or ending on `to`', async () => {
    const now = new Date('2025-03-07T22:30:00Z'); // already 2025-03-08 in Tehran
    const s = await service.stats(botA, {}, now);
    expect(s.from).toBe('2025-02-06');
    expect(s.to).toBe('2025-03-07');
    expect(s.byDay).toHaveLength(30);
    expect(s.byDay[0].date).toBe('2025-02-06');
    expect(s.byDay[29].date).toBe('2025-03-07');
    // The 2025-02-28 sale is now inside the range.
    expect(s.totals).toMatchObject({ sales: 6, revenueMinor: 94_500, newUsers: 4 });
    const byTo = await service.stats(botA, { to: '2025-03-01' }, now);
    expect([byTo.from, byTo.to, byTo.byDay.length]).toEqual(['2025-01-31', '2025-03-01', 30]);
  });

  it('a full 366-day range is one entry per day; longer, reversed or malformed ranges are refused', async () => {
    const year = await service.stats(botA, { from: '2024-03-08', to: '2025-03-08' });
    expect(year.byDay).toHaveLength(366);
    expect(year.totals).toMatchObject({ sales: 7, revenueMinor: 94_500 + 90_000, newUsers: 5 });
    const refused = async (q: { from?: string; to?: string }, field: string) =>
      expect(service.stats(botA, q, new Date('2025-03-07T12:00:00Z'))).rejects.toMatchObject({
        code: ErrorCode.VALIDATION_FAILED,
        details: [{ field, errors: [expect.any(String)] }],
      });
    await refused({ from: '2024-03-06', to: '2025-03-07' }, 'from'); // 367 days
    await refused({ from: '2025-03-05', to: '2025-03-04' }, 'from');
    await refused({ from: '2025-03-08' }, 'from');
    await refused({ from: '2024-03-06' }, 'from');
    await expect(service.stats(botA, { from: '2024-03-07' }, new Date('2025-03-07T12:00:00Z'))).resolves.toMatchObject({
      to: '2025-03-07',
    });
    await refused({ from: '2025-02-30' }, 'from');
    await refused({ to: '2025-3-1' }, 'to');
    await refused({ to: '2025-03-01T00:00:00Z' }, 'to');
  });

  it('an unknown bot id finds no bot row through RLS', async () => {
    await expect(service.stats(randomUUID(), { from: '2025-03-01', to: '2025-03-07' })).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
    });
  });
});
