import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  applyEnv,
  createTestEnv,
  EmulatedBot,
  REMNAWAVE_DEFAULT_SQUAD_UUID,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  WorkerProcess,
} from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { buttonData, ChatMessage, QUICK_BOT_LEASES, waitForBotMessage } from './support/bot-chat';

type Msg = ChatMessage;

describe('tenant REST: users, balance adjustments, orders, card-payment review', () => {
  jest.setTimeout(60_000);
  let env: TestEnv;
  let app: INestApplication;
  let restore: () => void;
  let platform: DataSource;
  let telegram: TelegramEmulator;
  let worker: WorkerProcess;
  let botA: string;
  let botB: string;
  let tokenA: string;
  let tokenB: string;
  const http = () => request(app.getHttpServer());
  const q = (sql: string, p: unknown[] = []) => platform.query(sql, p);

  type Shop = { botId: string; token: string; tg: EmulatedBot; planId?: string };
  const shops = new Map<string, Shop>();
  const buyers = new Map<string, { botId: string; from: { id: number; username: string } }>();
  let panelId: string;

  /** A tenant joins through the API with an operator's invite; returns the bot id and the API token shown once. */
  const register = async (name: string) => {
    const invite = await http()
      .post('/v1/admin/invites')
      .set('Authorization', `Bearer ${env.masterToken}`)
      .send({})
      .expect(201);
    const tg = telegram.createBot();
    const res = await http()
      .post('/v1/bots')
      .send({ name, telegramBotToken: tg.token, ownerTelegramId: tg.id + 1, inviteCode: invite.body.code })
      .expect(201);
    const shop = { botId: res.body.bot.id as string, token: res.body.apiToken as string, tg };
    shops.set(shop.botId, shop);
    return shop;
  };
  /** Waits for a bot message in the user's chat matching `match`. */
  const botMessage = (tg: EmulatedBot, chatId: number, match: (m: Msg) => boolean) =>
    waitForBotMessage(telegram, tg.id, chatId, match);
  /** A user who opened the tenant's bot (/start); found through the API by Telegram id. */
  const addUser = async (botId: string, tgId: number, username: string) => {
    const shop = shops.get(botId)!;
    const from = { id: tgId, username, first_name: 'Name', language_code: 'en' };
    await telegram.waitForPolling(shop.tg.id, 20_000);
    await telegram.sendText(shop.tg.id, { from, text: '/start' });
    await botMessage(shop.tg, tgId, () => true);
    const res = await http()
      .get(`/v1/bots/${botId}/users?search=${tgId}`)
      .set('Authorization', `Bearer ${shop.token}`)
      .expect(200);
    buyers.set(res.body.items[0].id, { botId, from });
    return res.body.items[0].id as string;
  };
  /**
   * The user buys a plan in the bot, picks card-to-card and sends a photo of the receipt: an order with a card
   * payment awaiting review. The shop's plan (on a panel that does not answer, so a paid order stays
   * `fulfilling` while its provisioning retries) and card are set up through the API on first use.
   */
  const pendingPayment = async (botId: string, userId: string) => {
    const shop = shops.get(botId)!;
    const { from } = buyers.get(userId)!;
    const auth = { Authorization: `Bearer ${shop.token}` };
    if (!shop.planId) {
      shop.planId = (
        await http()
          .post(`/v1/bots/${botId}/plans`)
          .set(auth)
          .send({ name: { en: 'P' }, periodDays: 30, priceMinor: 1000, trafficLimitGb: 10, deviceLimit: 1, panelId })
          .expect(201)
      ).body.id;
      await http()
        .post(`/v1/bots/${botId}/payment-cards`)
        .set(auth)
        .send({ cardNumber: '6037990000000006', cardHolderName: 'Ali' })
        .expect(201);
    }
    // Only what this purchase shows counts: an earlier purchase left messages of its own in the chat.
    const before = Math.max(0, ...telegram.getChatMessages(shop.tg.id, from.id).map((m) => m.messageId));
    const fresh = (match: (m: Msg) => boolean) => botMessage(shop.tg, from.id, (m) => m.messageId > before && match(m));
    telegram.sendText(shop.tg.id, { from, text: '/buy' });
    const plans = await fresh((m) => !!buttonData(m, 's:p:'));
    telegram.pressButton(shop.tg.id, { from, messageId: plans.messageId, data: buttonData(plans, 's:p:')! });
    const methods = await fresh((m) => !!buttonData(m, 's:c:'));
    telegram.pressButton(shop.tg.id, { from, messageId: methods.messageId, data: buttonData(methods, 's:c:')! });
    await fresh((m) => (m.text ?? '').includes('C2C-'));
    telegram.sendPhoto(shop.tg.id, { from });
    await fresh((m) => (m.text ?? '').includes('under review'));
    const pending = await http().get(`/v1/bots/${botId}/card-payments?status=pending`).set(auth).expect(200);
    const mine = pending.body.items.find((p: { userId: string }) => p.userId === userId);
    return { order: mine.orderId as string, payment: mine.id as string };
  };

  beforeAll(async () => {
    telegram = await TelegramEmulator.start();
    env = await createTestEnv({
      TELEGRAM_API_ROOT: telegram.url,
      ...QUICK_BOT_LEASES,
      PROVISIONING_ATTEMPTS: '10',
      PROVISIONING_BACKOFF_MS: '60000',
    });
    restore = applyEnv(env.vars);
    app = await createApiApp();
    await app.init();
    platform = await env.db.platform();
    // Nothing listens there: provisioning keeps retrying and the paid order stays fulfilling.
    panelId = (
      await http()
        .post('/v1/admin/panels')
        .set('Authorization', `Bearer ${env.masterToken}`)
        .send({
          name: 'silent',
          type: 'remnawave',
          baseUrl: 'http://127.0.0.1:9',
          credentials: { apiKey: 'silent-panel-key' },
          settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
        })
        .expect(201)
    ).body.id;
    ({ botId: botA, token: tokenA } = await register('A'));
    ({ botId: botB, token: tokenB } = await register('B'));
    worker = await spawnWorker(env.vars);
  });

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    restore?.();
    await env?.cleanup();
    await telegram?.close();
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
      .set('Idempotency-Key', 'foreign-1')
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
      .set('Idempotency-Key', 'adj-over')
      .send({ amountMinor: -5001, reason: 'too much' })
      .expect(409);
    expect(over.body.error.code).toBe('INSUFFICIENT_BALANCE');
    const bad = await http()
      .post(`/v1/bots/${botA}/users/${u}/balance-adjustments`)
      .set(auth)
      .set('Idempotency-Key', 'adj-bad')
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
