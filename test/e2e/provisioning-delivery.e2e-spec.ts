import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobName, QueueName } from '@botfleet/jobs';
import {
  createTestEnv,
  EmulatedBot,
  platformOf,
  QUICK_BOT_LEASES,
  REMNAWAVE_DEFAULT_SQUAD_UUID,
  RemnawaveEmulator,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  testRedisUrl,
  waitFor,
  WorkerProcess,
} from '@botfleet/testing';
import { HostedTenant, PublicApi } from './support/public-api';

const RW_KEY = 'rw-delivery-key-90fe';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PRICE = 1000;

type Msg = Awaited<ReturnType<TelegramEmulator['getChatMessages']>>[number];
const buttonData = (m: Msg, prefix: string): string | undefined =>
  ((m.replyMarkup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [])
    .flat()
    .find((b) => b.callback_data?.startsWith(prefix))?.callback_data;

/**
 * From a paid order to the user's chat: the worker provisions the account on the panel emulator, then
 * the user's chat in the Telegram emulator receives the QR code with the link (tap to copy), expiry and
 * traffic, once; /subs and the menu's "My subscriptions" list it with usage, expiry and status.
 */
describe('subscription delivery (worker process, Telegram and panel emulators)', () => {
  jest.setTimeout(60_000);

  const emu = new TelegramEmulator();
  let env: TestEnv;
  let platform: DataSource;
  let api: PublicApi;
  let worker: WorkerProcess;
  let notifications: Queue;
  let rw: RemnawaveEmulator;
  let panelId: string;
  let userSeq = 51_000;

  /** Waits until the chat has a bot message matching `match` (new or edited) and returns it. */
  const botMessage = (tg: { id: number }, chatId: number, match: (m: Msg) => boolean, timeoutMs = 15_000) =>
    waitFor(
      async () => (await emu.getChatMessages(tg.id, chatId)).filter((m) => m.direction === 'bot').find(match),
      timeoutMs,
    );

  /** A shop whose bot sells one plan on the panel, set up through the API. */
  const shop = async (tg: EmulatedBot): Promise<HostedTenant> => {
    const bot = await api.registerBot(tg);
    await api
      .as(bot.apiToken, 'post', `/v1/bots/${bot.id}/plans`)
      .send({
        name: { en: 'Test plan' },
        periodDays: 30,
        priceMinor: PRICE,
        trafficLimitGb: 50,
        deviceLimit: 2,
        panelId,
      })
      .expect(201);
    return bot;
  };

  /**
   * A user who opens the bot, is credited the price by the shop (REST), then buys the plan in the bot and pays
   * from the wallet: the sale queues the provisioning. Returns the order and its subscription.
   */
  const buyer = async (tg: { id: number }, bot: HostedTenant, language_code: string) => {
    const from = { id: ++userSeq, first_name: `Buyer${userSeq}`, language_code };
    await emu.sendText(tg.id, { from, text: '/start' });
    await emu.waitForMessages(tg.id, from.id, 1, 10_000);
    const [row] = await platform.query(`SELECT id FROM users WHERE bot_id = $1 AND telegram_id = $2`, [
      bot.id,
      from.id,
    ]);
    await api
      .as(bot.apiToken, 'post', `/v1/bots/${bot.id}/users/${row.id}/balance-adjustments`)
      .set('Idempotency-Key', `credit-${row.id}`)
      .send({ amountMinor: PRICE, reason: 'credit for the test purchase' })
      .expect(201);
    emu.sendText(tg.id, { from, text: '/buy' });
    const plans = await botMessage(tg, from.id, (m) => !!buttonData(m, 's:p:'));
    emu.pressButton(tg.id, { from, messageId: plans.messageId, data: buttonData(plans, 's:p:')! });
    const methods = await botMessage(tg, from.id, (m) => !!buttonData(m, 's:w:'));
    emu.pressButton(tg.id, { from, messageId: methods.messageId, data: buttonData(methods, 's:w:')! });
    const [order] = await waitFor(async () => {
      const rows: { id: string; subscription_id: string | null }[] = await platform.query(
        `SELECT id, subscription_id FROM orders WHERE bot_id = $1 AND user_id = $2 AND subscription_id IS NOT NULL`,
        [bot.id, row.id],
      );
      return rows.length ? rows : undefined;
    }, 15_000);
    return { from, purchase: { orderId: order.id, subscriptionId: order.subscription_id! } };
  };

  /** The photo's bytes, fetched through the Bot API with the bot's own token, as a client would. */
  const photoBytes = async (token: string, fileId: string): Promise<Buffer> => {
    const res = await fetch(`${emu.url}/bot${token}/getFile`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ file_id: fileId }),
    });
    const body = (await res.json()) as { result: { file_path: string } };
    return Buffer.from(await (await fetch(`${emu.url}/file/bot${token}/${body.result.file_path}`)).arrayBuffer());
  };

  beforeAll(async () => {
    const url = await emu.listen(0);
    env = await createTestEnv({
      TELEGRAM_API_ROOT: url,
      ...QUICK_BOT_LEASES,
      PROVISIONING_ATTEMPTS: '3',
      PROVISIONING_BACKOFF_MS: '200',
      TRAFFIC_SYNC_INTERVAL_MS: '0',
    });
    platform = await platformOf(env);
    rw = new RemnawaveEmulator({ apiKey: RW_KEY });
    await rw.start();
    api = await PublicApi.start(env);
    panelId = await api.newPanel({
      type: 'remnawave',
      baseUrl: rw.url,
      credentials: { apiKey: RW_KEY },
      settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
    });
    const connection = { url: testRedisUrl(), maxRetriesPerRequest: null };
    notifications = new Queue(QueueName.Notifications, { connection, prefix: `${env.redisPrefix}:q` });
    worker = await spawnWorker(env.vars);
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await notifications?.close();
    await rw?.stop();
    await emu.close();
    await env?.cleanup();
  });

  it('the user receives the QR code with the link to copy, the expiry and the traffic, once', async () => {
    const tg = emu.createBot();
    const bot = await shop(tg);
    const botId = bot.id;
    await emu.waitForPolling(tg.id, 15_000);
    const { from, purchase } = await buyer(tg, bot, 'en');

    const delivered = await botMessage(tg, from.id, (m) => m.method === 'sendPhoto', 20_000);
    const [sub] = await platform.query(`SELECT subscription_url, status FROM subscriptions WHERE id = $1`, [
      purchase.subscriptionId,
    ]);
    expect(sub.status).toBe('active');
    expect(delivered.method).toBe('sendPhoto');
    expect(delivered.sourceCaption).toContain(`<code>${sub.subscription_url}</code>`);
    expect(delivered.caption).toContain('Your subscription is ready');
    expect(delivered.caption).toContain('Valid until');
    expect(delivered.caption).toContain('50 GB');
    expect(delivered.entities ?? delivered.message.caption_entities).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'code' })]),
    );
    const png = await photoBytes(tg.token, delivered.photoFileId!);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);

    // The delivery job run again (a retry, a duplicate) sends nothing more.
    const sent = (await emu.getChatMessages(tg.id, from.id)).length;
    await notifications.add(
      JobName.DeliverSubscription,
      { botId, subscriptionId: purchase.subscriptionId, orderId: purchase.orderId },
      { jobId: `${purchase.orderId}-again` },
    );
    await waitFor(async () => (await notifications.getJobState(`${purchase.orderId}-again`)) === 'completed', 10_000);
    expect(await emu.getChatMessages(tg.id, from.id)).toHaveLength(sent);
    expect((await emu.getChatMessages(tg.id, from.id)).filter((m) => m.method === 'sendPhoto')).toHaveLength(1);
  });

  it('speaks the user language, and /subs and the menu list the subscription with usage, expiry and status', async () => {
    const tg = emu.createBot();
    const bot = await shop(tg);
    await emu.waitForPolling(tg.id, 15_000);
    const { from, purchase } = await buyer(tg, bot, 'fa');
    const delivered = await botMessage(tg, from.id, (m) => m.method === 'sendPhoto', 20_000);
    const [menu] = (await emu.getChatMessages(tg.id, from.id)).filter((m) => m.direction === 'bot');
    expect(delivered.caption).toContain('اشتراک شما آماده است');
    const keyboard =
      (menu.replyMarkup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
    const subsButton = keyboard.flat().find((b) => b.callback_data === 'menu:subscriptions');
    expect(subsButton).toBeDefined();

    const [row] = await platform.query(`SELECT panel_username, subscription_url FROM subscriptions WHERE id = $1`, [
      purchase.subscriptionId,
    ]);
    await platform.query(`UPDATE subscriptions SET traffic_used_bytes = $2 WHERE id = $1`, [
      purchase.subscriptionId,
      3 * 1024 ** 3,
    ]);
    // The user switches the bot to English.
    emu.sendText(tg.id, { from, text: '/lang' });
    const picker = await botMessage(tg, from.id, (m) => !!buttonData(m, 'lang:en'));
    await emu.pressButton(tg.id, { from, messageId: picker.messageId, data: 'lang:en' });
    await emu.waitForEdit(tg.id, from.id, picker.messageId, 1, 3_000);
    await emu.sendText(tg.id, { from, text: '/subs' });
    const list = await botMessage(tg, from.id, (m) => (m.text ?? '').includes('My subscriptions'), 10_000);
    expect(list.text).toContain('My subscriptions');
    expect(list.text).toContain('Test plan');
    expect(list.text).toContain('active');
    expect(list.text).toContain('3 GB of 50 GB');
    expect(list.text).toContain('Until');
    expect(list.sourceText).toContain(`<code>${row.subscription_url}</code>`);
    expect(row.panel_username).toBeTruthy();
  });
});
