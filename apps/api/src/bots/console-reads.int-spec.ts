import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { TestBot, TestContext, TestEnv, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(60_000);

/**
 * The reads the web console's sales pages need beyond the first API: a customer's wallet with its ledger, the
 * tenant's audit log, orders by creation time, and the wholesale ledger as a CSV file. Real API, PostgreSQL and Redis.
 */
describe('console reads: user wallet, audit log, orders by time, ledger CSV', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let app: INestApplication;
  let world: WorkerWorld;
  let a: TestBot;
  let b: TestBot;
  const http = () => request(app.getHttpServer());
  const as = (bot: TestBot | string, path: string) =>
    http()
      .get(path)
      .set('Authorization', `Bearer ${typeof bot === 'string' ? bot : bot.apiToken}`);

  beforeAll(async () => {
    world = await WorkerWorld.start({ jobs: 'detached', createWorker: createApiApp });
    ({ env, ctx } = world);
    app = world.worker;
    a = await ctx.newBot({ name: 'Shop A', currency: 'IRR' });
    b = await ctx.newBot({ name: 'Shop B' });
  });

  afterAll(() => world?.close());

  it("a customer's wallet: the balance, the bot's currency and the ledger newest first, paged; 404 for others", async () => {
    const user = await ctx.newUser(a.id);
    await ctx.deposit(a.id, user.id, 5_000);
    await http()
      .post(`/v1/bots/${a.id}/users/${user.id}/balance-adjustments`)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .set('Idempotency-Key', `adj-${user.id}`)
      .send({ amountMinor: -1_500, reason: 'correction' })
      .expect(201);

    const res = await as(a, `/v1/bots/${a.id}/users/${user.id}/wallet`).expect(200);
    expect(res.body).toMatchObject({ balanceMinor: 3_500, currency: 'IRR', total: 2, page: 1, pageSize: 20 });
    expect(res.body.items.map((t: { type: string; amountMinor: number }) => [t.type, t.amountMinor])).toEqual([
      ['adjustment', -1_500],
      ['deposit', 5_000],
    ]);
    expect(res.body.items[0]).toMatchObject({ balanceAfterMinor: 3_500, note: 'correction' });
    const second = await as(a, `/v1/bots/${a.id}/users/${user.id}/wallet?page=2&pageSize=1`).expect(200);
    expect(second.body.items.map((t: { type: string }) => t.type)).toEqual(['deposit']);

    // Another shop's token, another shop's user on this bot, an id nobody has: not found.
    await as(b, `/v1/bots/${a.id}/users/${user.id}/wallet`).expect(404);
    const theirs = await ctx.newUser(b.id);
    await as(a, `/v1/bots/${a.id}/users/${theirs.id}/wallet`).expect(404);
    await as(a, `/v1/bots/${a.id}/users/00000000-0000-4000-8000-000000000000/wallet`).expect(404);
    await as(a, `/v1/bots/${a.id}/users/not-a-uuid/wallet`).expect(400);
  });

  it("the audit log: the shop's own entries newest first, with who did them; paged; 404 for another shop", async () => {
    const user = await ctx.newUser(a.id);
    for (const status of ['blocked', 'active']) {
      await http()
        .patch(`/v1/bots/${a.id}/users/${user.id}`)
        .set('Authorization', `Bearer ${a.apiToken}`)
        .send({ status })
        .expect(200);
    }
    const otherUser = await ctx.newUser(b.id);
    await http()
      .patch(`/v1/bots/${b.id}/users/${otherUser.id}`)
      .set('Authorization', `Bearer ${b.apiToken}`)
      .send({ status: 'blocked' })
      .expect(200);

    const res = await as(a, `/v1/bots/${a.id}/audit-log?pageSize=2`).expect(200);
    expect(res.body.pageSize).toBe(2);
    expect(res.body.total).toBeGreaterThanOrEqual(2);
    expect(res.body.items).toHaveLength(2);
    const [latest, earlier] = res.body.items;
    expect(latest).toMatchObject({
      actorType: 'tenant_api',
      action: 'user.status',
      targetType: 'user',
      targetId: user.id,
      before: { status: 'blocked' },
      after: { status: 'active' },
    });
    expect(earlier).toMatchObject({ action: 'user.status', after: { status: 'blocked' } });
    expect(Date.parse(latest.createdAt)).toBeGreaterThanOrEqual(Date.parse(earlier.createdAt));
    // Shop B's change is not in A's log.
    const all = await as(a, `/v1/bots/${a.id}/audit-log?pageSize=100`).expect(200);
    expect(all.body.items.map((e: { targetId: string }) => e.targetId)).not.toContain(otherUser.id);
    await as(b, `/v1/bots/${a.id}/audit-log`).expect(404);
    await as(a, `/v1/bots/${a.id}/audit-log?pageSize=1000`).expect(400);
  });

  it('orders by creation time: from is inclusive, to exclusive, with the other filters; a bad instant is a 400', async () => {
    const { orderId, userId } = await ctx.newOrder(b.id);
    const [order] = (await as(b, `/v1/bots/${b.id}/orders?userId=${userId}`).expect(200)).body.items;
    expect(order.id).toBe(orderId);
    const at = order.createdAt as string;
    const later = new Date(Date.parse(at) + 1).toISOString();
    const ids = async (query: string) =>
      (await as(b, `/v1/bots/${b.id}/orders?userId=${userId}&${query}`).expect(200)).body.items.map(
        (o: { id: string }) => o.id,
      );
    expect(await ids(`from=${at}`)).toEqual([orderId]);
    expect(await ids(`from=${later}`)).toEqual([]);
    expect(await ids(`to=${later}`)).toEqual([orderId]);
    expect(await ids(`to=${at}`)).toEqual([]);
    expect(await ids(`from=${at}&to=${later}&status=pending`)).toEqual([orderId]);
    expect(await ids(`from=${at}&to=${later}&status=paid`)).toEqual([]);
    const bad = await as(b, `/v1/bots/${b.id}/orders?from=yesterday`).expect(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'from' })]);
  });

  it('the wholesale ledger as CSV with Accept: text/csv: every entry, newest first, formulas defused', async () => {
    const topUp = (amountMinor: number, note: string) =>
      http()
        .post(`/v1/admin/bots/${a.id}/wallet/top-ups`)
        .set('Authorization', `Bearer ${env.masterToken}`)
        .set('Idempotency-Key', `csv-${amountMinor}`)
        .send({ amountMinor, note })
        .expect(201);
    await topUp(100_000, 'bank transfer, "May"');
    await topUp(250_000, '=HYPERLINK("http://evil.example")');

    const json = await as(a, `/v1/bots/${a.id}/wallet/ledger?pageSize=1`).expect(200);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    expect(json.body.items).toHaveLength(1);

    const csv = await as(a, `/v1/bots/${a.id}/wallet/ledger?pageSize=1`).set('Accept', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="wallet-ledger-.+\.csv"$/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'createdAt,type,amountMinor,balanceAfterMinor,heldAfterMinor,currency,reference,note,createdBy,id',
    );
    // pageSize is ignored: both top-ups are there, the newest first.
    expect(lines).toHaveLength(1 + json.body.total);
    expect(lines[1]).toContain(',top_up,250000,350000,0,IRR,');
    expect(lines[1]).toContain(`,"'=HYPERLINK(""http://evil.example"")",`);
    expect(lines[2]).toContain(',top_up,100000,100000,0,IRR,');
    expect(lines[2]).toContain(',"bank transfer, ""May""",');

    await as(b, `/v1/bots/${a.id}/wallet/ledger`).set('Accept', 'text/csv').expect(404);
  });
});
