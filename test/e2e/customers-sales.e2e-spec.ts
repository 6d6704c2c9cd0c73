import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateApiToken, sha256Hex } from '@botfleet/secrets';
import { applyEnv, createTestEnv, insertBot, TestEnv } from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';

describe('tenant REST: users, balance adjustments, orders, card-payment review', () => {
  let env: TestEnv;
  let app: INestApplication;
  let restore: () => void;
  let platform: DataSource;
  let botA: string;
  let botB: string;
  let tokenA: string;
  let tokenB: string;
  const http = () => request(app.getHttpServer());
  const q = (sql: string, p: unknown[] = []) => platform.query(sql, p);

  const mintToken = async (botId: string) => {
    const token = generateApiToken();
    await q(`UPDATE bots SET api_token_hash = $2 WHERE id = $1`, [botId, sha256Hex(token)]);
    return token;
  };
  const addUser = async (botId: string, tg: number, username: string) => {
    const id = randomUUID();
    await q(
      `INSERT INTO users (id, bot_id, telegram_id, username, first_name, referral_code) VALUES ($1,$2,$3,$4,'Name',$5)`,
      [id, botId, tg, username, randomUUID().slice(0, 8)],
    );
    return id;
  };
  /** An order with a card payment awaiting review, made through the same tables the bot writes. */
  const pendingPayment = async (botId: string, userId: string) => {
    const plan = randomUUID();
    const order = randomUUID();
    const payment = randomUUID();
    await q(`INSERT INTO bot_plans (id, bot_id, name, period_days, price_minor) VALUES ($1,$2,'{"en":"P"}',30,1000)`, [
      plan,
      botId,
    ]);
    await q(
      `INSERT INTO orders (id, bot_id, user_id, plan_id, amount_minor, currency, period_days, idempotency_key) VALUES ($1,$2,$3,$4,1000,'IRR',30,$5)`,
      [order, botId, userId, plan, randomUUID()],
    );
    await q(
      `INSERT INTO card_to_card_payments (id, bot_id, user_id, order_id, amount_minor, tracking_number, status, receipt_type, receipt_file_id, receipt_file_unique_id, expires_at)
       VALUES ($1,$2,$3,$4,1000,$5,'pending','photo','FILE','UNIQ', now() + interval '30 minutes')`,
      [payment, botId, userId, order, `C2C-261122-${randomUUID().slice(0, 6).toUpperCase()}`],
    );
    return { order, payment };
  };

  beforeAll(async () => {
    env = await createTestEnv();
    restore = applyEnv(env.vars);
    app = await createApiApp();
    await app.init();
    platform = await env.db.platform();
    botA = await insertBot(platform, { name: 'A' });
    botB = await insertBot(platform, { name: 'B' });
    tokenA = await mintToken(botA);
    tokenB = await mintToken(botB);
  });

  afterAll(async () => {
    await app?.close();
    restore?.();
    await env?.cleanup();
  });

  it('lists and searches users, paged; blocks one', async () => {
    const ali = await addUser(botA, 1001, 'ali_vpn');
    await addUser(botA, 1002, 'sara');
    await addUser(botB, 1003, 'ali_other_bot');
    const all = await http()
      .get(`/v1/bots/${botA}/users?page=1&pageSize=1`)
      .set('Authorization', `Bearer ${tokenA}`)
      .expect(200);
    expect(all.body).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(all.body.items).toHaveLength(1);
    const found = await http()
      .get(`/v1/bots/${botA}/users?search=ali`)
      .set('Authorization', `Bearer ${tokenA}`)
      .expect(200);
    expect(found.body.items.map((u: { id: string }) => u.id)).toEqual([ali]);
    const byId = await http()
      .get(`/v1/bots/${botA}/users?search=1002`)
      .set('Authorization', `Bearer ${tokenA}`)
      .expect(200);
    expect(byId.body.items[0].username).toBe('sara');
    const blocked = await http()
      .patch(`/v1/bots/${botA}/users/${ali}`)
      .set('Authorization', `Bearer ${tokenA}`)
      .send({ status: 'blocked' })
      .expect(200);
    expect(blocked.body.status).toBe('blocked');
    const audit = await q(`SELECT action FROM audit_logs WHERE bot_id = $1 AND target_id = $2`, [botA, ali]);
    expect(audit).toEqual([{ action: 'user.status' }]);
    await http()
      .patch(`/v1/bots/${botA}/users/${ali}`)
      .set('Authorization', `Bearer ${tokenA}`)
      .send({ status: 'gone' })
      .expect(400);
  });

  it("another tenant's user, order or payment id answers 404 and changes nothing", async () => {
    const foreign = await addUser(botB, 2001, 'foreign');
    const { payment } = await pendingPayment(botB, foreign);
    const auth = { Authorization: `Bearer ${tokenA}` };
    await http().get(`/v1/bots/${botA}/users/${foreign}`).set(auth).expect(404);
    await http().patch(`/v1/bots/${botA}/users/${foreign}`).set(auth).send({ status: 'blocked' }).expect(404);
    await http()
      .post(`/v1/bots/${botA}/users/${foreign}/balance-adjustments`)
      .set(auth)
      .send({ amountMinor: 5, reason: 'x' })
      .expect(404);
    await http().post(`/v1/bots/${botA}/card-payments/${payment}/approve`).set(auth).expect(404);
    await http().post(`/v1/bots/${botB}/card-payments/${payment}/approve`).set(auth).expect(404);
    const rows = await q(`SELECT status FROM card_to_card_payments WHERE id = $1`, [payment]);
    expect(rows).toEqual([{ status: 'pending' }]);
    expect((await q(`SELECT status, balance_minor::int b FROM users WHERE id = $1`, [foreign]))[0]).toEqual({
      status: 'active',
      b: 0,
    });
  });

  it('balance adjustments write one ledger row per Idempotency-Key and refuse to overdraw', async () => {
    const u = await addUser(botA, 3001, 'wallet_user');
    const auth = { Authorization: `Bearer ${tokenA}` };
    const first = await http()
      .post(`/v1/bots/${botA}/users/${u}/balance-adjustments`)
      .set(auth)
      .set('Idempotency-Key', 'adj-1')
      .send({ amountMinor: 5000, reason: 'gift' })
      .expect(201);
    expect(first.body).toMatchObject({ balanceMinor: 5000, transaction: { type: 'adjustment', amountMinor: 5000 } });
    const replay = await http()
      .post(`/v1/bots/${botA}/users/${u}/balance-adjustments`)
      .set(auth)
      .set('Idempotency-Key', 'adj-1')
      .send({ amountMinor: 5000, reason: 'gift' })
      .expect(201);
    expect(replay.body.transaction.id).toBe(first.body.transaction.id);
    const over = await http()
      .post(`/v1/bots/${botA}/users/${u}/balance-adjustments`)
      .set(auth)
      .send({ amountMinor: -5001, reason: 'too much' })
      .expect(409);
    expect(over.body.error.code).toBe('INSUFFICIENT_BALANCE');
    const bad = await http()
      .post(`/v1/bots/${botA}/users/${u}/balance-adjustments`)
      .set(auth)
      .send({ amountMinor: 1.5, reason: '' })
      .expect(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['amountMinor', 'reason']);
    const rows = await q(`SELECT count(*)::int n FROM transactions WHERE user_id = $1`, [u]);
    expect(rows[0].n).toBe(1);
  });

  it('approve over REST: 409 ALREADY_REVIEWED for the second; reject needs a reason', async () => {
    const u = await addUser(botA, 4001, 'buyer');
    const { order, payment } = await pendingPayment(botA, u);
    const auth = { Authorization: `Bearer ${tokenA}` };
    const pending = await http().get(`/v1/bots/${botA}/card-payments?status=pending`).set(auth).expect(200);
    expect(pending.body.items.map((p: { id: string }) => p.id)).toContain(payment);
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(() => http().post(`/v1/bots/${botA}/card-payments/${payment}/approve`).set(auth)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('ALREADY_REVIEWED');
    const orders = await http().get(`/v1/bots/${botA}/orders?status=fulfilling`).set(auth).expect(200);
    expect(orders.body.items.map((o: { id: string }) => o.id)).toContain(order);
    const second = await pendingPayment(botA, u);
    await http().post(`/v1/bots/${botA}/card-payments/${second.payment}/reject`).set(auth).send({}).expect(400);
    const rejected = await http()
      .post(`/v1/bots/${botA}/card-payments/${second.payment}/reject`)
      .set(auth)
      .send({ reason: 'Wrong amount' })
      .expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: 'Wrong amount' });
  });

  it('the master token reaches any bot; tenant B cannot read A', async () => {
    await http().get(`/v1/bots/${botA}/orders`).set('Authorization', `Bearer ${env.masterToken}`).expect(200);
    await http().get(`/v1/bots/${botA}/orders`).set('Authorization', `Bearer ${tokenB}`).expect(404);
  });
});
