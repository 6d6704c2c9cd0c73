import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ErrorCode, MAX_COUNTER, MAX_MINOR } from '@botfleet/common';
import { CreateOrderUseCase } from '@botfleet/sales';
import { TestBot, TestContext, TestEnv, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

const GiB = 1024 ** 3;
const MAX_PLAN_GB = 1_000_000;

/**
 * Every counter pushed to its maximum through the product, then the operator's and the tenant's reads and
 * writes of that bot still answer (never a 500 for a row that cannot be read back); inputs past a maximum
 * are 400s naming the field, and the database refuses what slips past with a range CHECK.
 */
describe('numbers that cannot break a row (API in-process, real PostgreSQL/Redis)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let app: INestApplication;
  let world: WorkerWorld;
  let platform: DataSource;
  let bot: TestBot;
  const http = () => request(app.getHttpServer());
  const master = () => `Bearer ${env.masterToken}`;
  const tenant = () => `Bearer ${bot.apiToken}`;
  let keys = 0;
  const topUp = (amountMinor: number) =>
    http()
      .post(`/v1/admin/bots/${bot.id}/wallet/top-ups`)
      .set('Authorization', master())
      .set('Idempotency-Key', `limits-${++keys}`)
      .send({ amountMinor, note: 'limits' });
  const botRow = async () =>
    (
      await platform.query(
        `SELECT traffic_sold_bytes::text AS sold, wallet_balance_minor::text AS balance FROM bots WHERE id = $1`,
        [bot.id],
      )
    )[0] as { sold: string; balance: string };
  const fieldsOf = (body: { error?: { details?: { field: string }[] } }) =>
    (body.error?.details ?? []).map((d) => d.field);

  beforeAll(async () => {
    world = await WorkerWorld.start({ jobs: 'detached', createWorker: createApiApp });
    ({ env, ctx } = world);
    app = world.worker;
    platform = await env.db.platform();
    bot = await ctx.newBot();
  });

  afterAll(() => world?.close());

  it('plans at the maximum traffic sold again and again: the sold counter saturates, every read and lever answers', async () => {
    const plan = await ctx.newPlan(bot.id, { trafficLimitGb: MAX_PLAN_GB, priceMinor: 1000 });
    // 9 × 10^6 GiB ≈ 9.66·10^15 bytes: past 2^53 − 1.
    for (let i = 0; i < 9; i++) await ctx.newPaidOrder(bot.id, { planId: plan.id });
    expect((await botRow()).sold).toBe(String(MAX_COUNTER));
    expect(9 * MAX_PLAN_GB * GiB).toBeGreaterThan(MAX_COUNTER);

    const list = await http().get('/v1/admin/bots?pageSize=100').set('Authorization', master()).expect(200);
    expect(list.body.items.map((b: { id: string }) => b.id)).toContain(bot.id);
    await http().get(`/v1/bots/${bot.id}`).set('Authorization', tenant()).expect(200);
    const stats = await http().get(`/v1/bots/${bot.id}/stats`).set('Authorization', tenant()).expect(200);
    expect(JSON.stringify(stats.body)).toContain(String(MAX_COUNTER));
    await http().get(`/v1/bots/${bot.id}/orders`).set('Authorization', tenant()).expect(200);
    await http().get(`/v1/bots/${bot.id}/subscriptions`).set('Authorization', tenant()).expect(200);
    await http().get('/v1/admin/stats').set('Authorization', master()).expect(200);
    await http().post(`/v1/admin/bots/${bot.id}/suspend`).set('Authorization', master()).expect(200);
    await http().post(`/v1/admin/bots/${bot.id}/resume`).set('Authorization', master()).expect(200);
    await topUp(1000).expect(201);

    // One more sale at the top of the range: still a sale, the counter stays at its maximum.
    await ctx.newPaidOrder(bot.id, { planId: plan.id });
    expect((await botRow()).sold).toBe(String(MAX_COUNTER));
  });

  it('plans at the maximum price sold past 2^53 of revenue: every sum shown saturates as a safe number', async () => {
    const plan = await ctx.newPlan(bot.id, { trafficLimitGb: 1, priceMinor: MAX_MINOR });
    for (let i = 0; i < 10; i++) await ctx.newPaidOrder(bot.id, { planId: plan.id });
    const stats = await http().get(`/v1/bots/${bot.id}/stats`).set('Authorization', tenant()).expect(200);
    expect(stats.body.totals.revenueMinor).toBe(MAX_COUNTER);
    const list = await http().get('/v1/admin/bots?pageSize=100').set('Authorization', master()).expect(200);
    const mine = list.body.items.find((b: { id: string }) => b.id === bot.id);
    expect(mine.revenueMinor).toBe(MAX_COUNTER);
    const platformStats = await http().get('/v1/admin/stats').set('Authorization', master()).expect(200);
    for (const s of platformStats.body.sales) expect(Number.isSafeInteger(s.revenueMinor)).toBe(true);
  });

  it('top-ups at the maximum: the balance stops below 2^53, past it is a 400 naming amountMinor that changes nothing', async () => {
    // Top-ups of 10^15 each until the next one would take the balance past 2^53 − 1.
    while (Number((await botRow()).balance) + MAX_MINOR <= MAX_COUNTER) await topUp(MAX_MINOR).expect(201);
    const full = (await botRow()).balance;
    await http().get(`/v1/bots/${bot.id}/wallet`).set('Authorization', tenant()).expect(200);

    const past = await topUp(MAX_MINOR).expect(400);
    expect(fieldsOf(past.body)).toContain('amountMinor');
    for (const amountMinor of [MAX_MINOR + 1, 2 ** 53, 1e21]) {
      const res = await topUp(amountMinor).expect(400);
      expect(fieldsOf(res.body)).toContain('amountMinor');
    }
    expect((await botRow()).balance).toBe(full);
    await http().get('/v1/admin/bots').set('Authorization', master()).expect(200);
    await http().get(`/v1/bots/${bot.id}`).set('Authorization', tenant()).expect(200);
    await http().post(`/v1/admin/bots/${bot.id}/suspend`).set('Authorization', master()).expect(200);
    await http().post(`/v1/admin/bots/${bot.id}/resume`).set('Authorization', master()).expect(200);
  });

  it("adjustments at the maximum: a user's balance stops below 2^53, past it is a 400 naming amountMinor", async () => {
    const user = await ctx.newUser(bot.id);
    const adjust = (amountMinor: number) =>
      http()
        .post(`/v1/bots/${bot.id}/users/${user.id}/balance-adjustments`)
        .set('Authorization', tenant())
        .set('Idempotency-Key', `adjust-${++keys}`)
        .send({ amountMinor, reason: 'limits' });
    const balance = async () =>
      (await http().get(`/v1/bots/${bot.id}/users/${user.id}`).set('Authorization', tenant()).expect(200)).body
        .balanceMinor as number;
    for (let i = 0; i < 9; i++) await adjust(MAX_MINOR).expect(201);
    expect(await balance()).toBe(9 * MAX_MINOR);
    const past = await adjust(MAX_MINOR).expect(400);
    expect(fieldsOf(past.body)).toContain('amountMinor');
    for (const amountMinor of [MAX_MINOR + 1, -(MAX_MINOR + 1), 2 ** 60]) {
      expect(fieldsOf((await adjust(amountMinor).expect(400)).body)).toContain('amountMinor');
    }
    expect(await balance()).toBe(9 * MAX_MINOR);
    await adjust(-MAX_MINOR).expect(201);
  });

  it('plan, card and wholesale-price numbers past their maximum are 400s naming the field', async () => {
    const plan = { name: { en: 'Big' }, periodDays: 30, priceMinor: 1000, trafficLimitGb: 10, deviceLimit: 1 };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...plan, trafficLimitGb: MAX_PLAN_GB + 1 }, 'trafficLimitGb'],
      [{ ...plan, priceMinor: MAX_MINOR + 1 }, 'priceMinor'],
      [{ ...plan, periodDays: 3651 }, 'periodDays'],
      [{ ...plan, deviceLimit: 101 }, 'deviceLimit'],
      [{ ...plan, priceMinor: 1e21 }, 'priceMinor'],
    ];
    for (const [body, field] of cases) {
      const res = await http().post(`/v1/bots/${bot.id}/plans`).set('Authorization', tenant()).send(body).expect(400);
      expect(fieldsOf(res.body)).toContain(field);
    }
    const card = await http()
      .post(`/v1/bots/${bot.id}/payment-cards`)
      .set('Authorization', tenant())
      .send({ cardNumber: '6037990000000006', cardHolderName: 'Ali', dailyLimitMinor: MAX_MINOR + 1 })
      .expect(400);
    expect(fieldsOf(card.body)).toContain('dailyLimitMinor');
    const price = await http()
      .put(`/v1/admin/bots/${bot.id}/wholesale-price`)
      .set('Authorization', master())
      .send({ perPlanMinor: 0, perGbMinor: MAX_MINOR + 1, perDayMinor: 0, unlimitedTrafficGb: 0 })
      .expect(400);
    expect(fieldsOf(price.body)).toContain('perGbMinor');
  });

  it('a wholesale cost past any balance (10^15 per GB × 10^6 GB) refuses the sale before anything is written', async () => {
    const shop = await ctx.newBot({ walletMinor: MAX_MINOR });
    await http()
      .put(`/v1/admin/bots/${shop.id}/wholesale-price`)
      .set('Authorization', master())
      .send({ perPlanMinor: MAX_MINOR, perGbMinor: MAX_MINOR, perDayMinor: MAX_MINOR, unlimitedTrafficGb: 0 })
      .expect(200);
    const plan = await ctx.newPlan(shop.id, { trafficLimitGb: MAX_PLAN_GB, periodDays: 3650, priceMinor: 1000 });
    const user = await ctx.newUser(shop.id);
    await expect(
      ctx.get(CreateOrderUseCase).execute({ botId: shop.id, userId: user.id, planId: plan.id, idempotencyKey: 'huge' }),
    ).rejects.toMatchObject({ code: ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE });
    const [orders] = await platform.query(`SELECT count(*)::int AS n FROM orders WHERE bot_id = $1`, [shop.id]);
    expect(orders.n).toBe(0);
    await http().get(`/v1/bots/${shop.id}/wallet`).set('Authorization', `Bearer ${shop.apiToken}`).expect(200);
  });

  it('every bigint column read as a JS number has a range CHECK (a new column cannot forget)', async () => {
    const columns: { table_name: string; column_name: string }[] = await platform.query(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.data_type = 'bigint'
          AND c.is_identity = 'NO' AND c.table_name <> 'migrations'
        ORDER BY 1, 2`,
    );
    const checks: { conname: string }[] = await platform.query(
      `SELECT conname FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace`,
    );
    const names = new Set(checks.map((c) => c.conname));
    expect(columns.length).toBeGreaterThan(30);
    const missing = columns.map((c) => `${c.table_name}_${c.column_name}_range`).filter((n) => !names.has(n));
    expect(missing).toEqual([]);
  });

  it('the database refuses a money value out of range and saturates a counter, whoever writes', async () => {
    await expect(
      platform.query(`UPDATE bots SET wallet_balance_minor = $2 WHERE id = $1`, [bot.id, '9007199254740992']),
    ).rejects.toMatchObject({ driverError: { code: '23514', constraint: 'bots_wallet_balance_minor_range' } });
    await expect(
      platform.query(`UPDATE bot_plans SET price_minor = $2 WHERE bot_id = $1`, [bot.id, String(MAX_MINOR + 1)]),
    ).rejects.toMatchObject({ driverError: { code: '23514', constraint: 'bot_plans_price_minor_range' } });
    await expect(
      platform.query(`UPDATE bots SET traffic_sold_bytes = -1 WHERE id = $1`, [bot.id]),
    ).rejects.toMatchObject({ driverError: { code: '23514', constraint: 'bots_traffic_sold_bytes_range' } });
    await platform.query(`UPDATE bots SET traffic_sold_bytes = traffic_sold_bytes + $2 WHERE id = $1`, [
      bot.id,
      String(MAX_MINOR),
    ]);
    expect((await botRow()).sold).toBe(String(MAX_COUNTER));
  });
});
