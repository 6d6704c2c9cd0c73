import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  AppProcess,
  createTestEnv,
  freePort,
  platformOf,
  REMNAWAVE_DEFAULT_SQUAD_UUID,
  RemnawaveEmulator,
  spawnApp,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  waitFor,
  waitForHttp,
  WorkerProcess,
} from '@botfleet/testing';
import { buttonData, ChatMessage, QUICK_BOT_LEASES, waitForBotMessage as botMessageIn } from './support/bot-chat';

const RW_KEY = 'rw-wallet-e2e-key';
const ADMIN_CHAT = -1001234567001;
const PRICE = 500_000;
const PRESET = 100_000;

/**
 * Wallet top-ups end to end (issue 12 part 5): a real worker hosts the bot against the Telegram emulator, the API
 * runs as its own process (as in production), provisioning talks to the Remnawave emulator. A buyer tops the wallet up card to card
 * (the same receipt review as orders, decided in the admin chat), and tops up what the wallet lacks for an order,
 * is asked, pays it from the wallet and gets the subscription link.
 */
describe('wallet top-ups: /wallet → Top up → card → receipt → admin approves → one deposit', () => {
  jest.setTimeout(120_000);
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let platform: DataSource;
  let worker: WorkerProcess;
  let apiApp: AppProcess;
  let apiUrl: string;
  let rw: RemnawaveEmulator;
  let tg: { id: number; token: string; username: string };
  let botId: string;
  let apiToken: string;
  const owner = { id: 930_001, first_name: 'Owner', language_code: 'en' };
  const buyer = { id: 60_001, first_name: 'Buyer', language_code: 'en' };
  const q = (sql: string, p: unknown[] = []) => platform.query(sql, p);
  const http = () => request(apiUrl);
  const api = (method: 'get' | 'put' | 'post', path: string) =>
    http()[method](path).set('Authorization', `Bearer ${apiToken}`);

  const waitForBotMessage = (chatId: number, match: (m: ChatMessage) => boolean, timeoutMs = 15_000) =>
    botMessageIn(emu, tg.id, chatId, match, timeoutMs);
  const textHas = (s: string) => (m: ChatMessage) => !!(m.text ?? m.caption ?? '').includes(s);
  const withButton = (prefix: string) => (m: ChatMessage) => !!buttonData(m, prefix);
  const press = (m: ChatMessage, prefix: string, from: { id: number } = buyer, chatId?: number) =>
    emu.pressButton(tg.id, {
      from,
      messageId: m.messageId,
      data: buttonData(m, prefix)!,
      ...(chatId ? { chatId } : {}),
    });
  /** A bot message in the buyer's chat newer than `after` (message ids grow) matching `match`. */
  const next = (after: number, match: (m: ChatMessage) => boolean, timeoutMs?: number) =>
    waitForBotMessage(buyer.id, (m) => m.messageId > after && match(m), timeoutMs);
  const lastId = (chatId = buyer.id) => Math.max(0, ...emu.getChatMessages(tg.id, chatId).map((m) => m.messageId));
  const userId = async () =>
    (await q(`SELECT id FROM users WHERE bot_id = $1 AND telegram_id = $2`, [botId, buyer.id]))[0].id as string;
  const balance = async () =>
    Number(
      (await q(`SELECT balance_minor FROM users WHERE bot_id = $1 AND telegram_id = $2`, [botId, buyer.id]))[0]
        .balance_minor,
    );
  const ledger = async () =>
    (await q(
      `SELECT type, amount_minor::int AS amount, idempotency_key AS key FROM transactions
        WHERE bot_id = $1 AND user_id = $2 ORDER BY created_at`,
      [botId, await userId()],
    )) as { type: string; amount: number; key: string }[];

  /** The card screen of a top-up → a photo receipt → the review in the admin chat; returns the review message. */
  const receiptToReview = async (card: ChatMessage) => {
    expect(card.text).toMatch(/C2C-\d{6}-[2-9A-Z]{6}/);
    const before = lastId(ADMIN_CHAT);
    emu.sendPhoto(tg.id, { from: buyer });
    await next(card.messageId, textHas('under review'));
    return waitForBotMessage(
      ADMIN_CHAT,
      (m) => m.messageId > before && withButton('rv:a:')(m) && m.method === 'sendPhoto',
    );
  };

  beforeAll(async () => {
    const url = await emu.listen(0);
    rw = new RemnawaveEmulator({ apiKey: RW_KEY });
    await rw.start();
    env = await createTestEnv({
      TELEGRAM_API_ROOT: url,
      ...QUICK_BOT_LEASES,
      BOT_POLL_TIMEOUT_S: '2',
      PROVISIONING_ATTEMPTS: '3',
      PROVISIONING_BACKOFF_MS: '300',
      SALE_SWEEP_INTERVAL_MS: '500',
    });
    platform = await platformOf(env);
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    apiApp = spawnApp('api', { ...env.vars, API_PORT: String(port), API_HOST: '127.0.0.1' });
    await waitForHttp(`${apiUrl}/health/live`);
    const master = (method: 'post' | 'put', path: string) =>
      http()[method](path).set('Authorization', `Bearer ${env.masterToken}`);
    const panelId = (
      await master('post', '/v1/admin/panels')
        .send({
          name: 'rw',
          type: 'remnawave',
          baseUrl: rw.url,
          credentials: { apiKey: RW_KEY },
          settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
        })
        .expect(201)
    ).body.id;
    tg = emu.createBot();
    const invite = (await master('post', '/v1/admin/invites').send({}).expect(201)).body;
    const registered = await http()
      .post('/v1/bots')
      .send({
        name: `Shop ${tg.username}`,
        telegramBotToken: tg.token,
        ownerTelegramId: owner.id,
        inviteCode: invite.code,
        defaultLanguage: 'en',
        adminChatId: ADMIN_CHAT,
      })
      .expect(201);
    botId = registered.body.bot.id;
    apiToken = registered.body.apiToken;
    await master('post', `/v1/admin/bots/${botId}/wallet/top-ups`)
      .set('Idempotency-Key', `wallet-e2e-${botId}`)
      .send({ amountMinor: 1_000_000 })
      .expect(201);
    // The reseller's set-up: limits on the wallet feature, the preset amounts, a plan and a card.
    await api('put', `/v1/bots/${botId}/features/wallet`)
      .send({ enabled: true, config: { minTopUpMinor: 50_000, maxTopUpMinor: 5_000_000 } })
      .expect(200);
    await api('put', `/v1/bots/${botId}/configurations/wallet_topup_presets`)
      .send({ value: [PRESET, 250_000, 1_000_000] })
      .expect(200);
    await api('post', `/v1/bots/${botId}/plans`)
      .send({
        name: { en: 'Monthly 50 GB' },
        periodDays: 30,
        priceMinor: PRICE,
        trafficLimitGb: 50,
        deviceLimit: 2,
        panelId,
      })
      .expect(201);
    await api('post', `/v1/bots/${botId}/payment-cards`)
      .send({ cardNumber: '6037990000000006', cardHolderName: 'Ali Rezaei', bankName: 'Melli' })
      .expect(201);
    worker = await spawnWorker(env.vars);
    await emu.waitForPolling(tg.id, 15_000);
  });

  afterAll(async () => {
    await worker?.stop();
    await apiApp?.stop();
    await emu.close();
    await rw?.stop();
    await env?.cleanup();
  });

  it('a preset top-up paid card to card is reviewed in the admin chat and deposited once', async () => {
    emu.sendText(tg.id, { from: buyer, text: '/wallet' });
    const wallet = await waitForBotMessage(buyer.id, withButton('wt:t'));
    expect(wallet.text).toContain('Your wallet');
    expect(wallet.text).toContain('No movements yet');
    press(wallet, 'wt:t');
    const amounts = await waitForBotMessage(buyer.id, withButton(`wt:m:${PRESET}`));
    press(amounts, `wt:m:${PRESET}`);
    const methods = await waitForBotMessage(buyer.id, withButton(`wt:c:${PRESET}`));
    press(methods, `wt:c:${PRESET}`);
    const card = await waitForBotMessage(buyer.id, textHas('C2C-'));
    expect(card.text).toContain('6037 9900 0000 0006');

    const review = await receiptToReview(card);
    expect(review.caption).toContain('Wallet top-up');
    // The tenant sees the receipt in the review queue like any other, marked as a top-up.
    const pending = await api('get', `/v1/bots/${botId}/card-payments?status=pending`).expect(200);
    expect(pending.body.items).toEqual([
      expect.objectContaining({ purpose: 'topup', orderId: null, amountMinor: PRESET, status: 'pending' }),
    ]);
    const paymentId: string = pending.body.items[0].id;

    const before = lastId();
    press(review, 'rv:a:', owner, ADMIN_CHAT);
    const credited = await next(before, textHas('topped up'));
    expect(credited.text).toContain('Balance');
    // The review message lost its buttons; a replayed press of Approve is refused and deposits nothing more.
    emu.pressButton(tg.id, {
      from: owner,
      chatId: ADMIN_CHAT,
      messageId: review.messageId,
      data: buttonData(review, 'rv:a:')!,
      forged: true,
    });
    await waitFor(() => emu.getCallbackAnswers(tg.id).filter((a) => a.text?.includes('already reviewed')).length > 0);
    expect(await ledger()).toEqual([{ type: 'deposit', amount: PRESET, key: `card:${paymentId}:deposit` }]);
    expect(await balance()).toBe(PRESET);

    const afterCredit = lastId();
    emu.sendText(tg.id, { from: buyer, text: '/wallet' });
    const shown = await next(afterCredit, withButton('wt:t'));
    expect(shown.text).toMatch(/Balance: IRR\s100,000/);
    expect(shown.text).toMatch(/Top-up · \+IRR\s100,000/);
    const history = await api('get', `/v1/bots/${botId}/users/${await userId()}/top-ups`).expect(200);
    expect(history.body).toMatchObject({
      total: 1,
      items: [{ id: paymentId, method: 'card_to_card', amountMinor: PRESET, status: 'credited' }],
    });
  });

  it('a typed amount out of the limits is told and starts nothing; a valid one offers the methods', async () => {
    const rows = async () =>
      (await q(`SELECT count(*)::int n FROM card_to_card_payments WHERE bot_id = $1`, [botId]))[0].n as number;
    const start = await rows();
    // This time through the main menu's Wallet button (shown while the wallet feature is on).
    const opened = lastId();
    emu.sendText(tg.id, { from: buyer, text: '/start' });
    const menu = await next(opened, withButton('menu:wallet'));
    press(menu, 'menu:wallet');
    const wallet = await waitForBotMessage(buyer.id, (m) => m.messageId === menu.messageId && withButton('wt:t')(m));
    press(wallet, 'wt:t');
    const amounts = await waitForBotMessage(buyer.id, (m) => m.messageId === wallet.messageId && withButton('wt:o')(m));
    let mark = lastId();
    press(amounts, 'wt:o');
    const prompt = await next(mark, textHas('Type the amount'));
    mark = prompt.messageId;
    emu.sendText(tg.id, { from: buyer, text: 'a lot', replyToMessageId: prompt.messageId });
    await next(mark, textHas('That is not an amount'));
    mark = lastId();
    emu.sendText(tg.id, { from: buyer, text: '10', replyToMessageId: prompt.messageId });
    await next(mark, textHas('The amount must be from'));
    mark = lastId();
    emu.sendText(tg.id, { from: buyer, text: '300,000', replyToMessageId: prompt.messageId });
    await next(mark, withButton('wt:c:300000'));
    expect(await rows()).toBe(start);
  });

  it('an order the wallet cannot cover: top up the difference → asked → pay → the subscription link arrives', async () => {
    const have = await balance();
    const opened = lastId();
    emu.sendText(tg.id, { from: buyer, text: '/buy' });
    const plans = await next(opened, withButton('s:p:'));
    press(plans, 's:p:');
    const methods = await waitForBotMessage(buyer.id, (m) => m.messageId === plans.messageId && withButton('wt:d:')(m));
    expect(methods.text).toContain('How would you like to pay');
    press(methods, 'wt:d:');
    const lack = PRICE - have;
    const topUp = await waitForBotMessage(
      buyer.id,
      (m) => m.messageId === plans.messageId && withButton(`wt:c:${lack}:`)(m),
    );
    press(topUp, `wt:c:${lack}:`);
    const card = await waitForBotMessage(buyer.id, (m) => m.messageId === plans.messageId && textHas('C2C-')(m));
    const review = await receiptToReview(card);

    const before = lastId();
    press(review, 'rv:a:', owner, ADMIN_CHAT);
    const asked = await next(before, withButton('wt:p:'));
    expect(asked.text).toContain('Pay your order');
    expect(asked.text).toContain('Monthly 50 GB');
    // Asked, not paid: the order waits for the answer.
    const order = (
      await q(`SELECT id, status FROM orders WHERE bot_id = $1 AND user_id = $2`, [botId, await userId()])
    )[0];
    expect(order.status).toBe('pending');
    expect(await balance()).toBe(PRICE);

    press(asked, 'wt:p:');
    await next(before, textHas('Paid from your wallet'));
    const delivered = await next(before, (m) => m.method === 'sendPhoto', 30_000);
    const sub = (
      await q(`SELECT subscription_url FROM subscriptions WHERE bot_id = $1 AND user_id = $2`, [botId, await userId()])
    )[0];
    expect(delivered.caption).toContain(sub.subscription_url);
    expect(await balance()).toBe(0);
    const moves = await ledger();
    expect(moves.map((m) => [m.type, m.amount])).toEqual([
      ['deposit', PRESET],
      ['deposit', lack],
      ['purchase', -PRICE],
    ]);
    const [forOrder] = await q(
      `SELECT for_order_id FROM card_to_card_payments WHERE bot_id = $1 AND amount_minor = $2`,
      [botId, lack],
    );
    expect(forOrder.for_order_id).toBe(order.id);
  });
});
