import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CatalogWorld } from './support/catalog-fixtures';

describe('tenant REST: GET /v1/bots/{botId}/stats', () => {
  let w: CatalogWorld;
  let botA: string;
  let botB: string;
  let tokenA: string;
  let tokenB: string;
  const q = (sql: string, p: unknown[] = []) => w.platform.query(sql, p);
  const get = (token: string, path: string) => w.as(token, 'get', path);

  const addUser = async (botId: string, createdAt: string) => {
    const id = randomUUID();
    await q(`INSERT INTO users (id, bot_id, telegram_id, referral_code, created_at) VALUES ($1,$2,$3,$4,$5)`, [
      id,
      botId,
      Math.floor(Math.random() * 1e12),
      randomUUID().slice(0, 8),
      createdAt,
    ]);
    return id;
  };
  const addOrder = async (botId: string, userId: string, status: string, amount: number, paidAt: string) => {
    const plan = randomUUID();
    await q(`INSERT INTO bot_plans (id, bot_id, name, period_days, price_minor) VALUES ($1,$2,'{"en":"P"}',30,1000)`, [
      plan,
      botId,
    ]);
    await q(
      `INSERT INTO orders (bot_id, user_id, plan_id, status, amount_minor, currency, period_days, idempotency_key, paid_at)
       VALUES ($1,$2,$3,$4,$5,'IRR',30,$6,$7)`,
      [botId, userId, plan, status, amount, randomUUID(), paidAt],
    );
  };

  beforeAll(async () => {
    w = await CatalogWorld.start();
    ({ botId: botA, token: tokenA } = await w.tenant());
    ({ botId: botB, token: tokenB } = await w.tenant());
    await q(`UPDATE bots SET traffic_sold_bytes = 1073741824, traffic_consumed_bytes = 5000 WHERE id = $1`, [botA]);
    const a = await addUser(botA, '2025-05-02T08:00:00Z');
    await addOrder(botA, a, 'fulfilled', 150_000, '2025-05-02T09:00:00Z');
    await addOrder(botA, a, 'refunded', 999_000, '2025-05-02T10:00:00Z');
    await q(`INSERT INTO subscriptions (bot_id, user_id, status) VALUES ($1,$2,'active')`, [botA, a]);
    const b = await addUser(botB, '2025-05-02T08:00:00Z');
    await addOrder(botB, b, 'fulfilled', 777_000, '2025-05-02T09:00:00Z');
  });

  afterAll(async () => {
    await w?.stop();
  });

  it("answers the bot's own token with totals and every day of the range", async () => {
    const res = await get(tokenA, `/v1/bots/${botA}/stats?from=2025-05-01&to=2025-05-03`).expect(200);
    expect(res.body).toEqual({
      from: '2025-05-01',
      to: '2025-05-03',
      timeZone: 'Asia/Tehran',
      currency: 'IRR',
      totals: {
        sales: 1,
        revenueMinor: 150_000,
        discountMinor: 0,
        wholesaleMinor: 0,
        newUsers: 1,
        activeSubscriptions: 1,
        trafficSoldBytes: 1073741824,
        trafficConsumedBytes: 5000,
      },
      byDay: [
        { date: '2025-05-01', sales: 0, revenueMinor: 0, newUsers: 0 },
        { date: '2025-05-02', sales: 1, revenueMinor: 150_000, newUsers: 1 },
        { date: '2025-05-03', sales: 0, revenueMinor: 0, newUsers: 0 },
      ],
    });
  });

  it("without from/to: the 30 days ending today in the shop's time zone (Asia/Tehran unless set)", async () => {
    const res = await get(tokenA, `/v1/bots/${botA}/stats`).expect(200);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tehran' }).format(new Date());
    expect(res.body.to).toBe(today);
    expect(res.body.byDay).toHaveLength(30);
    expect(res.body.byDay[29].date).toBe(today);
    expect(res.body.byDay[0].date).toBe(res.body.from);
    expect(res.body.totals).toMatchObject({ activeSubscriptions: 1, trafficSoldBytes: 1073741824 });
  });

  it("another tenant's or an unknown bot id answers 404; the master reaches both", async () => {
    const other = await get(tokenB, `/v1/bots/${botA}/stats?from=2025-05-01&to=2025-05-03`).expect(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
    expect(JSON.stringify(other.body)).not.toContain('150000');
    await get(tokenA, `/v1/bots/${randomUUID()}/stats`).expect(404);
    const b = await get(w.env.masterToken, `/v1/bots/${botB}/stats?from=2025-05-02&to=2025-05-02`).expect(200);
    expect(b.body.totals).toMatchObject({ sales: 1, revenueMinor: 777_000, newUsers: 1, activeSubscriptions: 0 });
  });

  it.each([
    ['from=2025-13-01', 'from'],
    ['from=2025-02-29', 'from'],
    ['from=', 'from'],
    ['from=yesterday&to=2025-05-03', 'from'],
    ['to=2025-5-3', 'to'],
    ['to=2025-05-03T00:00:00Z', 'to'],
    ['from=2025-05-04&to=2025-05-03', 'from'],
    ['from=2024-05-01&to=2025-05-03', 'from'],
    ['from=9999-01-01', 'from'],
    ['from=2025-05-01&from=2025-05-02', 'from'],
    ['days=7', 'days'],
  ])('?%s → 400 VALIDATION_FAILED naming %s', async (query, field) => {
    const res = await get(tokenA, `/v1/bots/${botA}/stats?${query}`).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
  });

  it('is in the OpenAPI document with its query and response', async () => {
    const doc = (await request(w.app.getHttpServer()).get('/docs-json').expect(200)).body;
    const op = doc.paths['/v1/bots/{botId}/stats']?.get;
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['botId', 'from', 'to']);
    expect(op.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/BotStatsDto',
    });
    expect(Object.keys(doc.components.schemas.BotStatsDto.properties).sort()).toEqual([
      'byDay',
      'currency',
      'from',
      'timeZone',
      'to',
      'totals',
    ]);
  });
});
