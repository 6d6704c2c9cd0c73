import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobName, jobIdFor, provisioningJobOptions, QueueName } from '@botfleet/jobs';
import {
  createTestEnv,
  platformOf,
  REMNAWAVE_DEFAULT_SQUAD_UUID,
  RemnawaveEmulator,
  spawnWorker,
  TelegramEmulator,
  TestContext,
  TestEnv,
  testRedisUrl,
  waitFor,
  WorkerProcess,
} from '@botfleet/testing';
import { PublicApi } from './support/public-api';

const RW_KEY = 'rw-delivery-key-90fe';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

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
  let ctx: TestContext;
  let worker: WorkerProcess;
  let queue: Queue;
  let notifications: Queue;
  let rw: RemnawaveEmulator;
  let panelId: string;
  let userSeq = 51_000;

  /** A user who opened the bot (so the tenant has their row), and their paid, queued purchase. */
  const buyer = async (tg: { id: number }, botId: string, language_code: string) => {
    const from = { id: ++userSeq, first_name: `Buyer${userSeq}`, language_code };
    await emu.sendText(tg.id, { from, text: '/start' });
    await emu.waitForMessages(tg.id, from.id, 1, 10_000);
    const [row] = await platform.query(`SELECT id FROM users WHERE bot_id = $1 AND telegram_id = $2`, [botId, from.id]);
    // The purchase through the sale's own use cases (paid from the wallet); its provisioning job is queued here.
    const purchase = await ctx.newPaidOrder(botId, { userId: row.id, plan: { panelId, trafficLimitGb: 50 } });
    await queue.add(
      JobName.ProvisionSubscription,
      { botId, subscriptionId: purchase.subscriptionId, orderId: purchase.orderId },
      { jobId: jobIdFor(JobName.ProvisionSubscription, [botId, purchase.orderId]) },
    );
    return { from, purchase };
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
      BOT_LEASE_TTL_MS: '3000',
      BOT_LEASE_RENEW_MS: '1000',
      BOT_ACQUIRE_INTERVAL_MS: '300',
      BOT_RECONCILE_MS: '2000',
      BOT_POLL_TIMEOUT_S: '5',
      PROVISIONING_ATTEMPTS: '3',
      PROVISIONING_BACKOFF_MS: '200',
      TRAFFIC_SYNC_INTERVAL_MS: '0',
    });
    platform = await platformOf(env);
    rw = new RemnawaveEmulator({ apiKey: RW_KEY });
    await rw.start();
    api = await PublicApi.start(env);
    ctx = await TestContext.create({ env, telegram: emu, jobs: 'detached' });
    panelId = await api.newPanel({
      type: 'remnawave',
      baseUrl: rw.url,
      credentials: { apiKey: RW_KEY },
      settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
    });
    const connection = { url: testRedisUrl(), maxRetriesPerRequest: null };
    queue = new Queue(QueueName.Provisioning, {
      connection,
      prefix: `${env.redisPrefix}:q`,
      defaultJobOptions: provisioningJobOptions(3, 200),
    });
    notifications = new Queue(QueueName.Notifications, { connection, prefix: `${env.redisPrefix}:q` });
    worker = await spawnWorker(env.vars);
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await api?.close();
    await queue?.close();
    await notifications?.close();
    await rw?.stop();
    await emu.close();
    await env?.cleanup();
  });

  it('the user receives the QR code with the link to copy, the expiry and the traffic, once', async () => {
    const tg = emu.createBot();
    const { id: botId } = await api.registerBot(tg);
    await emu.waitForPolling(tg.id, 15_000);
    const { from, purchase } = await buyer(tg, botId, 'en');

    const messages = await emu.waitForMessages(tg.id, from.id, 2, 20_000);
    const delivered = messages[1];
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
    await notifications.add(
      JobName.DeliverSubscription,
      { botId, subscriptionId: purchase.subscriptionId, orderId: purchase.orderId },
      { jobId: `${purchase.orderId}-again` },
    );
    await waitFor(async () => (await notifications.getJobState(`${purchase.orderId}-again`)) === 'completed', 10_000);
    expect(await emu.getChatMessages(tg.id, from.id)).toHaveLength(2);
  });

  it('speaks the user language, and /subs and the menu list the subscription with usage, expiry and status', async () => {
    const tg = emu.createBot();
    const { id: botId } = await api.registerBot(tg);
    await emu.waitForPolling(tg.id, 15_000);
    const { from, purchase } = await buyer(tg, botId, 'fa');
    const [menu, delivered] = await emu.waitForMessages(tg.id, from.id, 2, 20_000);
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
    await platform.query(`UPDATE users SET language = 'en' WHERE bot_id = $1 AND telegram_id = $2`, [botId, from.id]);
    await emu.sendText(tg.id, { from, text: '/subs' });
    const list = (await emu.waitForMessages(tg.id, from.id, 3, 10_000))[2];
    expect(list.text).toContain('My subscriptions');
    expect(list.text).toContain('Test plan');
    expect(list.text).toContain('active');
    expect(list.text).toContain('3 GB of 50 GB');
    expect(list.text).toContain('Until');
    expect(list.sourceText).toContain(`<code>${row.subscription_url}</code>`);
    expect(row.panel_username).toBeTruthy();
  });
});
