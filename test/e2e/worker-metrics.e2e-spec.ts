import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  applyEnv,
  createTestEnv,
  RemnawaveEmulator,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  waitFor,
  WorkerProcess,
} from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { BotChat, has, QUICK_BOT_LEASES } from './support/bot-chat';
import { addRemnawavePanel, joinWithInvite } from './support/public-api';

const RW_KEY = 'rw-worker-metrics-e2e-key';
const PRICE = 300_000;
const FAILED_FOR_GOOD = 'botfleet_jobs_failed_for_good_total';

/**
 * The value of one series of `name` whose labels include `labels`, or undefined when the worker does not report
 * it: a gauge at 0 is not the same as a gauge that is missing (readMetric sums, so it cannot tell them apart).
 */
function seriesValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => m[2].includes(`${k}="${v}"`))) return Number(m[3]);
  }
  return undefined;
}

/**
 * The worker's operational metrics as the scraper sees them: a worker process hosts the bot against the Telegram
 * emulator and provisions on the Remnawave emulator, the API runs in this process; the operator-alerts round
 * (which health-checks the panels) runs every second. Only /metrics over HTTP is read.
 */
describe("the worker's /metrics: panel health and jobs that failed for good", () => {
  jest.setTimeout(120_000);
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let worker: WorkerProcess;
  let app: INestApplication;
  let restore: () => void;
  let rw: RemnawaveEmulator;
  let tg: { id: number; token: string; username: string };
  let botId: string;
  let apiToken: string;
  const owner = { id: 940_001, first_name: 'Owner', language_code: 'en' };
  const http = () => request(app.getHttpServer());
  const as = (token: string, method: 'post' | 'put', path: string) =>
    http()[method](path).set('Authorization', `Bearer ${token}`);
  /** The panel's `botfleet_panel_up` series (the panel is registered as `rw`). */
  const panelUp = async () => seriesValue(await worker.metrics(), 'botfleet_panel_up', { panel: 'rw' });
  const failedForGood = () => worker.metric(FAILED_FOR_GOOD, { queue: 'provisioning' });

  beforeAll(async () => {
    const url = await emu.listen(0);
    rw = new RemnawaveEmulator({ apiKey: RW_KEY });
    await rw.start();
    env = await createTestEnv({
      TELEGRAM_API_ROOT: url,
      ...QUICK_BOT_LEASES,
      BOT_POLL_TIMEOUT_S: '2',
      OPERATOR_ALERT_INTERVAL_MS: '1000',
      PROVISIONING_ATTEMPTS: '2',
      PROVISIONING_BACKOFF_MS: '300',
    });
    restore = applyEnv(env.vars);
    app = await createApiApp();
    await app.init();
    const master = env.masterToken;
    const panelId = await addRemnawavePanel(http, master, { baseUrl: rw.url, apiKey: RW_KEY });
    tg = emu.createBot();
    ({ botId, apiToken } = await joinWithInvite(http, master, {
      name: `Shop ${tg.username}`,
      telegramBotToken: tg.token,
      ownerTelegramId: owner.id,
      defaultLanguage: 'en',
    }));
    await as(master, 'post', `/v1/admin/bots/${botId}/wallet/top-ups`)
      .set('Idempotency-Key', `metrics-e2e-${botId}`)
      .send({ amountMinor: 1_000_000 })
      .expect(201);
    await as(master, 'put', `/v1/admin/bots/${botId}/wholesale-price`)
      .send({ perPlanMinor: 1000, perGbMinor: 0, perDayMinor: 0, unlimitedTrafficGb: 0 })
      .expect(200);
    await as(apiToken, 'post', `/v1/bots/${botId}/plans`)
      .send({
        name: { en: 'Monthly 10 GB' },
        periodDays: 30,
        priceMinor: PRICE,
        trafficLimitGb: 10,
        deviceLimit: 1,
        panelId,
      })
      .expect(201);
    worker = await spawnWorker(env.vars);
    await emu.waitForPolling(tg.id, 15_000);
  });

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    restore?.();
    await emu.close();
    await rw?.stop();
    await env?.cleanup();
  });

  it('botfleet_panel_up{panel} is 1 while the panel answers, 0 once it is unreachable, and 1 again when it is back', async () => {
    await waitFor(async () => (await panelUp()) === 1, 15_000);
    await rw.down('refuse');
    try {
      await waitFor(async () => (await panelUp()) === 0, 15_000);
    } finally {
      await rw.up();
    }
    await waitFor(async () => (await panelUp()) === 1, 15_000);
  });

  it('a provisioning job that exhausts its attempts adds one to botfleet_jobs_failed_for_good_total{queue="provisioning"}', async () => {
    const chat = new BotChat(emu, { id: tg.id }, { id: 60_501, first_name: 'Buyer', language_code: 'en' });
    await chat.send('/start');
    // The shop credits the buyer's wallet with the plan's price, so the purchase needs no receipt.
    const found = await http()
      .get(`/v1/bots/${botId}/users?search=${chat.user.id}`)
      .set('Authorization', `Bearer ${apiToken}`)
      .expect(200);
    const userId: string = found.body.items[0].id;
    await as(apiToken, 'post', `/v1/bots/${botId}/users/${userId}/balance-adjustments`)
      .set('Idempotency-Key', `metrics-e2e-${userId}`)
      .send({ amountMinor: PRICE, reason: 'e2e' })
      .expect(201);
    const before = await failedForGood();
    await rw.down('refuse');
    try {
      const methods = await chat.buy('s:w:');
      const mark = chat.lastId();
      chat.press(methods, 's:w:');
      // Both attempts fail: the price goes back to the buyer's wallet, and the job has failed for good.
      await chat.next(mark, has('returned to your wallet'), 30_000);
      await waitFor(async () => (await failedForGood()) === before + 1, 15_000);
    } finally {
      await rw.up();
    }
    // Once: nothing else of that job is counted later.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await failedForGood()).toBe(before + 1);
  });
});
