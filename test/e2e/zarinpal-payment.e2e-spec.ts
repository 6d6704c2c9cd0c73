import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  applyEnv,
  createTestEnv,
  freePort,
  platformOf,
  RemnawaveEmulator,
  spawnWorker,
  TcpProxy,
  TelegramEmulator,
  TestEnv,
  waitFor,
  WorkerProcess,
  ZarinpalEmulator,
} from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { BotChat, buttonsOf, ChatMessage, has, QUICK_BOT_LEASES } from './support/bot-chat';
import { addRemnawavePanel, joinWithInvite } from './support/public-api';

const RW_KEY = 'rw-zarinpal-e2e-key';
const PRICE = 500_000; // IRR
/** Wholesale: 1,000 per plan. */
const WHOLESALE = 1_000;

type Buyer = { id: number; first_name: string; language_code: string };

/**
 * Zarinpal end to end (issue 12): a worker process hosts the bot against the Telegram emulator, the API runs in this
 * process and listens on PUBLIC_BASE_URL (the buyer's browser comes back to it over HTTP), Zarinpal is the emulator,
 * provisioning talks to the Remnawave emulator. The API's application-role database connection goes through a
 * TcpProxy, so a test can drop it right after Zarinpal said "verified". The shop is set up through the public API;
 * buyers only do what they would do in Telegram and in the browser.
 */
describe('Zarinpal: pay in the bot, come back from the gateway, get the link; replays, forgeries, crashes', () => {
  jest.setTimeout(180_000);
  const emu = new TelegramEmulator();
  let zp: ZarinpalEmulator;
  let rw: RemnawaveEmulator;
  let env: TestEnv;
  let platform: DataSource;
  let pgProxy: TcpProxy;
  let app: INestApplication;
  let apiUrl: string;
  let restore: () => void;
  const workers: WorkerProcess[] = [];
  let tg: { id: number; token: string; username: string };
  let botId: string;
  let apiToken: string;
  let panelId: string;
  let userSeq = 80_000;
  const merchantId = randomUUID();
  const newBuyer = (lang = 'en'): Buyer => ({ id: ++userSeq, first_name: `Buyer${userSeq}`, language_code: lang });
  const q = (sql: string, p: unknown[] = []) => platform.query(sql, p);
  const http = () => request(app.getHttpServer());
  const as = (token: string, method: 'get' | 'post' | 'put', path: string) =>
    http()[method](path).set('Authorization', `Bearer ${token}`);
  const chatOf = (from: Buyer, bot = tg) => new BotChat(emu, bot, from);
  const urlButton = (m: ChatMessage) =>
    buttonsOf(m)
      .map((b) => (b as { url?: string }).url)
      .find((u) => u?.startsWith(`${zp.url}/pg/StartPay/`));

  /** /buy → the plan → the Zarinpal button: returns the authority of the StartPay link the bot sent. */
  const startPaying = async (from: Buyer, bot = tg): Promise<string> => {
    const chat = chatOf(from, bot);
    const before = chat.lastId();
    chat.press(await chat.buy('pg:zarinpal:'), 'pg:zarinpal:');
    const link = await chat.next(before, (m) => !!urlButton(m));
    return urlButton(link)!.split('/pg/StartPay/')[1];
  };

  /** The buyer's browser opening the URL Zarinpal redirected it to (our callback). */
  const browse = async (url: string) => {
    expect(url.startsWith(`${apiUrl}/payments/zarinpal/callback`)).toBe(true);
    const res = await fetch(url, { redirect: 'manual' });
    return { status: res.status, type: res.headers.get('content-type'), html: await res.text() };
  };
  const resultOf = (html: string) => /data-result="(\w+)"/.exec(html)?.[1];

  const paymentOf = async (authority: string) =>
    (await q(`SELECT * FROM gateway_payments WHERE gateway = 'zarinpal' AND external_id = $1`, [authority]))[0] as {
      id: string;
      bot_id: string;
      order_id: string;
      user_id: string;
      status: string;
      credited_to: string | null;
    };
  const orderOf = async (orderId: string) =>
    (await q(`SELECT * FROM orders WHERE id = $1`, [orderId]))[0] as {
      status: string;
      payment_method: string | null;
      subscription_id: string | null;
    };
  const wholesaleKeys = async (bot: string, orderId: string) =>
    (
      (await q(`SELECT idempotency_key k FROM tenant_wallet_ledger WHERE bot_id = $1 AND reference = $2`, [
        bot,
        `order:${orderId}`,
      ])) as { k: string }[]
    ).map((r) => r.k.split(':')[2]);
  const ledgerCount = async (uid: string) =>
    (await q(`SELECT count(*)::int n FROM transactions WHERE user_id = $1`, [uid]))[0].n as number;

  /** A shop set up the way a reseller does it: invite, bot, plan, Zarinpal allowed and configured. */
  const openShop = async (bot: { token: string; username: string }) => {
    const master = env.masterToken;
    const { botId: id, apiToken: token } = await joinWithInvite(http, master, {
      name: `Shop ${bot.username}`,
      telegramBotToken: bot.token,
      ownerTelegramId: 920_000 + userSeq,
      defaultLanguage: 'en',
    });
    await as(master, 'post', `/v1/admin/bots/${id}/wallet/top-ups`)
      .set('Idempotency-Key', `zp-e2e-${id}`)
      .send({ amountMinor: 1_000_000 })
      .expect(201);
    await as(master, 'put', `/v1/admin/bots/${id}/wholesale-price`)
      .send({ perPlanMinor: WHOLESALE, perGbMinor: 0, perDayMinor: 0, unlimitedTrafficGb: 0 })
      .expect(200);
    await as(token, 'post', `/v1/bots/${id}/plans`)
      .send({ name: { en: 'Monthly' }, periodDays: 30, priceMinor: PRICE, trafficLimitGb: 10, deviceLimit: 1, panelId })
      .expect(201);
    await as(master, 'put', `/v1/admin/bots/${id}/features/zarinpal/allowed`).send({ allowed: true }).expect(200);
    const feature = await as(token, 'put', `/v1/bots/${id}/features/zarinpal`)
      .send({ enabled: true, config: { merchantId, sandbox: false } })
      .expect(200);
    // The merchant id is stored encrypted and never shown back.
    expect(JSON.stringify(feature.body)).not.toContain(merchantId);
    expect(feature.body.secretsSet).toEqual(['merchantId']);
    return { id, token };
  };

  beforeAll(async () => {
    const url = await emu.listen(0);
    zp = await ZarinpalEmulator.start();
    zp.addMerchant(merchantId);
    rw = new RemnawaveEmulator({ apiKey: RW_KEY });
    await rw.start();
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    env = await createTestEnv({
      TELEGRAM_API_ROOT: url,
      ZARINPAL_BASE_URL: zp.url,
      ZARINPAL_SANDBOX_BASE_URL: zp.url,
      PUBLIC_BASE_URL: apiUrl,
      ...QUICK_BOT_LEASES,
      BOT_POLL_TIMEOUT_S: '2',
      PROVISIONING_ATTEMPTS: '3',
      PROVISIONING_BACKOFF_MS: '300',
      // The first worker never reconciles: the callbacks below are the only path until a test starts one that does.
      GATEWAY_RECONCILE_INTERVAL_MS: '0',
    });
    platform = await platformOf(env);
    pgProxy = await TcpProxy.forUrl(env.db.appUrl).start();
    restore = applyEnv({ ...env.vars, DATABASE_URL: pgProxy.url(env.db.appUrl), LOG_LEVEL: 'silent' });
    app = await createApiApp();
    await app.listen(port, '127.0.0.1');
    panelId = await addRemnawavePanel(http, env.masterToken, { baseUrl: rw.url, apiKey: RW_KEY });
    tg = emu.createBot();
    ({ id: botId, token: apiToken } = await openShop(tg));
    workers.push(await spawnWorker(env.vars));
    await emu.waitForPolling(tg.id, 15_000);
  });

  afterAll(async () => {
    pgProxy?.resume();
    for (const w of workers) await w.stop();
    await app?.close();
    restore?.();
    await emu.close();
    await zp?.close();
    await rw?.stop();
    await pgProxy?.stop();
    await platform?.destroy();
    await env?.cleanup();
  });

  it('a customer pays with Zarinpal; the callback opened 20 times at once pays the order once and the link arrives', async () => {
    const buyer = newBuyer('fa');
    const authority = await startPaying(buyer);
    const payment = await paymentOf(authority);
    expect(payment).toMatchObject({ bot_id: botId, status: 'pending' });
    expect(zp.payment(authority)).toMatchObject({ amount: PRICE, currency: 'IRR' });
    const back = zp.pay(authority);
    const pages = await Promise.all(Array.from({ length: 20 }, () => browse(back)));
    for (const p of pages) {
      expect(p.status).toBe(200);
      expect(p.type).toContain('text/html');
      expect(resultOf(p.html)).toBe('paid');
      expect(p.html).toContain('dir="rtl"');
      expect(p.html).toContain(`https://t.me/${tg.username}`);
    }
    expect(await paymentOf(authority)).toMatchObject({ status: 'paid', credited_to: 'order' });
    const delivered = await chatOf(buyer).message((m) => m.method === 'sendPhoto', 30_000);
    await waitFor(async () => (await orderOf(payment.order_id)).status === 'fulfilled', 20_000);
    const order = await orderOf(payment.order_id);
    expect(order.payment_method).toBe('zarinpal');
    const sub = (await q(`SELECT subscription_url FROM subscriptions WHERE id = $1`, [order.subscription_id]))[0];
    expect(delivered.caption).toContain(sub.subscription_url);
    expect((await wholesaleKeys(botId, payment.order_id)).sort()).toEqual(['capture', 'hold']);
    expect(await ledgerCount(payment.user_id)).toBe(0);
    expect((await q(`SELECT count(*)::int n FROM orders WHERE user_id = $1`, [payment.user_id]))[0].n).toBe(1);
    expect(emu.getChatMessages(tg.id, buyer.id).filter((m) => m.method === 'sendPhoto')).toHaveLength(1);
  });

  it('forged callbacks change nothing: unknown authority, Status=NOK, amount mismatch, another bot', async () => {
    // Unknown authority (and garbage): a clear page, no row touched.
    const before = (await q(`SELECT count(*)::int n, max(updated_at) t FROM gateway_payments`))[0];
    for (const bad of [
      `${apiUrl}/payments/zarinpal/callback?Authority=A000000000000000000000000000000000099&Status=OK`,
      `${apiUrl}/payments/zarinpal/callback?Authority=%3Cscript%3E&Status=OK`,
      `${apiUrl}/payments/zarinpal/callback`,
    ]) {
      const p = await browse(bad);
      expect(p.status).toBe(200);
      expect(resultOf(p.html)).toBe('unknown');
      expect(p.html).not.toContain('<script>');
    }
    expect((await q(`SELECT count(*)::int n, max(updated_at) t FROM gateway_payments`))[0]).toEqual(before);

    // Status=NOK: the customer cancelled; the payment fails, the order stays payable.
    const quitter = newBuyer();
    const cancelled = await startPaying(quitter);
    expect(resultOf((await browse(zp.cancel(cancelled))).html)).toBe('failed');
    const c = await paymentOf(cancelled);
    expect(c.status).toBe('failed');
    expect((await orderOf(c.order_id)).status).toBe('pending');

    // A forged OK for an unpaid payment: Zarinpal says -51, nothing is paid.
    const forger = newBuyer();
    const unpaid = await startPaying(forger);
    const forged = `${apiUrl}/payments/zarinpal/callback?Authority=${unpaid}&Status=OK`;
    expect(resultOf((await browse(forged)).html)).toBe('failed');
    expect((await orderOf((await paymentOf(unpaid)).order_id)).status).toBe('pending');

    // Paid another amount than asked: verify with OUR amount answers -50; nothing is paid.
    const cheat = newBuyer();
    const mismatch = await startPaying(cheat);
    expect(resultOf((await browse(zp.pay(mismatch, { amount: 1_000 }))).html)).toBe('failed');
    const m = await paymentOf(mismatch);
    expect(m.status).toBe('failed');
    expect((await orderOf(m.order_id)).status).toBe('pending');
    expect(await wholesaleKeys(botId, m.order_id)).toEqual(['hold']);
    expect(await ledgerCount(m.user_id)).toBe(0);

    // Another bot's authority: only that bot's payment is looked at, and only Zarinpal's answer counts.
    const other = emu.createBot();
    const shop2 = await openShop(other);
    await emu.waitForPolling(other.id, 15_000);
    const stranger = newBuyer();
    const theirs = await startPaying(stranger, other);
    const t = await paymentOf(theirs);
    expect(t.bot_id).toBe(shop2.id);
    expect(resultOf((await browse(`${apiUrl}/payments/zarinpal/callback?Authority=${theirs}&Status=OK`)).html)).toBe(
      'failed',
    );
    expect((await orderOf(t.order_id)).status).toBe('pending');
    expect(await q(`SELECT id FROM gateway_payments WHERE bot_id = $1 AND external_id = $2`, [botId, theirs])).toEqual(
      [],
    );
  });

  it('a crash between "Zarinpal verified" and "order paid", and a callback that never came: the reconciler ends both paid once', async () => {
    // The API's database connection is dropped the moment Zarinpal verifies: the settle cannot happen.
    const crashed = newBuyer();
    const crashAuthority = await startPaying(crashed);
    zp.afterFirstVerify = () => pgProxy.drop();
    const page = await browse(zp.pay(crashAuthority));
    zp.afterFirstVerify = null;
    pgProxy.resume();
    expect(resultOf(page.html)).toBe('pending');
    expect(zp.payment(crashAuthority)!.state).toBe('verified');
    const c = await paymentOf(crashAuthority);
    expect(c.status).toBe('pending');
    expect((await orderOf(c.order_id)).status).toBe('pending');

    // Another customer pays and closes the browser before coming back.
    const gone = newBuyer();
    const lostAuthority = await startPaying(gone);
    zp.pay(lostAuthority);
    const l = await paymentOf(lostAuthority);

    // A worker that reconciles (every 500 ms): verify answers 101 for the first, 100 for the second.
    workers.push(await spawnWorker({ ...env.vars, GATEWAY_RECONCILE_INTERVAL_MS: '500' }));
    for (const p of [c, l]) {
      await waitFor(async () => (await orderOf(p.order_id)).status === 'fulfilled', 40_000);
      expect(await paymentOf(p.id === c.id ? crashAuthority : lostAuthority)).toMatchObject({
        status: 'paid',
        credited_to: 'order',
      });
      expect((await wholesaleKeys(botId, p.order_id)).sort()).toEqual(['capture', 'hold']);
      expect(await ledgerCount(p.user_id)).toBe(0);
    }
    expect(zp.calls.some((x) => x.path.endsWith('verify.json') && x.code === 101)).toBe(true);
    await chatOf(crashed).message((m) => m.method === 'sendPhoto', 30_000);
    await chatOf(gone).message((m) => m.method === 'sendPhoto', 30_000);
    // The callback opened again later says paid, and changes nothing.
    expect(
      resultOf((await browse(`${apiUrl}/payments/zarinpal/callback?Authority=${crashAuthority}&Status=OK`)).html),
    ).toBe('paid');
    expect((await wholesaleKeys(botId, c.order_id)).filter((k) => k === 'capture')).toHaveLength(1);
  });

  it("REST: the tenant lists payments of every method and a user's history; Zarinpal refunds answer 422", async () => {
    const buyer = newBuyer();
    const authority = await startPaying(buyer);
    await browse(zp.pay(authority));
    const p = await paymentOf(authority);
    const list = await as(
      apiToken,
      'get',
      `/v1/bots/${botId}/payments?method=zarinpal&status=paid&pageSize=100`,
    ).expect(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).toContain(p.id);
    for (const item of list.body.items) expect(item).toMatchObject({ method: 'zarinpal', status: 'paid' });
    const mine = await as(apiToken, 'get', `/v1/bots/${botId}/users/${p.user_id}/payments`).expect(200);
    expect(mine.body).toMatchObject({ total: 1, page: 1 });
    expect(mine.body.items[0]).toMatchObject({
      id: p.id,
      method: 'zarinpal',
      purpose: 'order',
      status: 'paid',
      orderId: p.order_id,
      amountMinor: PRICE,
      currency: 'IRR',
      gatewayAmount: String(PRICE),
      gatewayUnit: 'IRR',
      externalId: authority,
      refundable: false,
    });
    const refused = await as(apiToken, 'post', `/v1/bots/${botId}/payments/${p.id}/refund`).expect(422);
    expect(refused.body.error.code).toBe('REFUND_NOT_SUPPORTED');
    expect((await paymentOf(authority)).status).toBe('paid');
    // Bad input: 400 naming the field; unknown or foreign ids: 404.
    for (const bad of ['method=Card', 'status=won', 'from=yesterday', 'userId=42', 'pageSize=0', 'extra=1']) {
      const r = await as(apiToken, 'get', `/v1/bots/${botId}/payments?${bad}`).expect(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    await as(apiToken, 'get', `/v1/bots/${botId}/users/${randomUUID()}/payments`).expect(404);
    await as(apiToken, 'post', `/v1/bots/${botId}/payments/${randomUUID()}/refund`).expect(404);
    const other = emu.createBot();
    const shop2 = await openShop(other);
    await as(shop2.token, 'get', `/v1/bots/${shop2.id}/payments/${p.id}`).expect(404);
    await as(shop2.token, 'post', `/v1/bots/${shop2.id}/payments/${p.id}/refund`).expect(404);
    await as(shop2.token, 'get', `/v1/bots/${shop2.id}/users/${p.user_id}/payments`).expect(404);
    const doc = (await http().get('/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    for (const path of [
      '/v1/bots/{botId}/payments',
      '/v1/bots/{botId}/users/{userId}/payments',
      '/v1/bots/{botId}/payments/{id}',
      '/v1/bots/{botId}/payments/{id}/refund',
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
  });

  it('money that arrives after the order was paid another way lands in the wallet once, and the bot says so', async () => {
    const buyer = newBuyer();
    const authority = await startPaying(buyer);
    const p = await paymentOf(authority);
    // The shop credits the buyer, who then pays the same order from the wallet in the bot.
    await as(apiToken, 'post', `/v1/bots/${botId}/users/${p.user_id}/balance-adjustments`)
      .set('Idempotency-Key', `zp-e2e-credit-${p.user_id}`)
      .send({ amountMinor: PRICE, reason: 'credit for the test' })
      .expect(201);
    const chat = chatOf(buyer);
    chat.press(await chat.buy('s:w:'), 's:w:');
    await waitFor(async () => (await orderOf(p.order_id)).payment_method === 'wallet', 15_000);
    // Now the Zarinpal payment completes: the order is no longer payable, so the money is the buyer's.
    const back = zp.pay(authority);
    const pages = await Promise.all(Array.from({ length: 5 }, () => browse(back)));
    for (const page of pages) expect(resultOf(page.html)).toBe('paidWallet');
    expect(await paymentOf(authority)).toMatchObject({ status: 'paid', credited_to: 'wallet' });
    const deposits = await q(
      `SELECT amount_minor::int a FROM transactions WHERE user_id = $1 AND idempotency_key = $2`,
      [p.user_id, `zarinpal:${authority}`],
    );
    expect(deposits).toEqual([{ a: PRICE }]);
    expect((await q(`SELECT balance_minor::int b FROM users WHERE id = $1`, [p.user_id]))[0].b).toBe(PRICE);
    expect((await wholesaleKeys(botId, p.order_id)).filter((k) => k === 'capture')).toHaveLength(1);
    await chatOf(buyer).message(has('added to your wallet'), 20_000);
  });
});
