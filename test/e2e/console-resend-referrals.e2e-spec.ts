import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  createTestEnv,
  REMNAWAVE_DEFAULT_SQUAD_UUID,
  RemnawaveEmulator,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  UserInput,
  waitFor,
  WorkerProcess,
} from '@botfleet/testing';
import { BotChat, ChatMessage, has, QUICK_BOT_LEASES, textOf } from './support/bot-chat';
import { launchBrowser, listen, newContext, screenshot, signInWithToken } from './support/browser';
import { HostedTenant, PublicApi } from './support/public-api';

const RW_KEY = 'rw-console-resend-key';
const PRICE = 300_000;
const OWNER: UserInput = { id: 882_400, first_name: 'Owner', language_code: 'en' };
const REFERRER: UserInput = { id: 882_401, first_name: 'Roya', language_code: 'en' };
const BUYER: UserInput = { id: 882_402, first_name: 'Kaveh', language_code: 'en' };

/** The subscription message the worker sends (a QR photo with the link). */
const isDelivery = (m: ChatMessage) => m.method === 'sendPhoto' && textOf(m).includes('Your subscription is ready');

/**
 * A reseller's daily work in the console that used to be Telegram-only or REST-only, in a real browser (Debian's
 * Chromium) against the real API, a spawned worker, the Telegram emulator and a Remnawave panel emulator: a customer
 * who joined by a referral link buys by card (the shop approves), the referrer earns a commission; the shop resends
 * the buyer's link from the customer's card (the bot sends it again, once), and reads the commission on the Referrals
 * page (en, and fa with a Solar Hijri date) and on the referrer's card.
 */
describe('console: resending a subscription link and the referral earnings', () => {
  jest.setTimeout(240_000);
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let api: PublicApi;
  let rw: RemnawaveEmulator;
  let worker: WorkerProcess;
  let browser: Browser;
  let origin: string;
  let tenant: HostedTenant;
  let tg: ReturnType<TelegramEmulator['createBot']>;
  const pageErrors: string[] = [];
  const contexts: BrowserContext[] = [];
  let sale: { buyerId: string; referrerId: string; chat: BotChat };

  const get = async (path: string) =>
    (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}${path}`).expect(200)).body;
  const userOf = async (telegramId: number) =>
    ((await get(`/users?search=${telegramId}`)).items as { id: string; referralCode: string }[])[0];

  async function open(path: string, lang: 'en' | 'fa' = 'en'): Promise<Page> {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
    page.setDefaultTimeout(10_000);
    await signInWithToken(page, origin, tenant.apiToken, lang);
    await page.goto(`${origin}/console/bots/${tenant.id}/${path}`);
    await page.locator('main').waitFor();
    page.setDefaultTimeout(30_000);
    return page;
  }

  beforeAll(async () => {
    const emuUrl = await emu.listen(0);
    env = await createTestEnv({
      TELEGRAM_API_ROOT: emuUrl,
      ...QUICK_BOT_LEASES,
      BOT_POLL_TIMEOUT_S: '2',
      PROVISIONING_ATTEMPTS: '3',
      PROVISIONING_BACKOFF_MS: '200',
      TRAFFIC_SYNC_INTERVAL_MS: '0',
    });
    rw = new RemnawaveEmulator({ apiKey: RW_KEY });
    await rw.start();
    api = await PublicApi.start(env);
    origin = await listen(api.app);
    const panelId = await api.newPanel({
      type: 'remnawave',
      baseUrl: rw.url,
      credentials: { apiKey: RW_KEY },
      settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
    });
    tg = emu.createBot({ username: 'console_resend_bot' });
    tenant = await api.registerBot(tg, { name: 'Resend shop', ownerTelegramId: OWNER.id });
    const asShop = (method: 'post' | 'put', path: string) =>
      api.as(tenant.apiToken, method, `/v1/bots/${tenant.id}${path}`);
    await api
      .as(api.master, 'post', `/v1/admin/bots/${tenant.id}/wallet/top-ups`)
      .set('Idempotency-Key', `console-resend-${tenant.id}`)
      .send({ amountMinor: 5_000_000, note: 'Bank transfer' })
      .expect(201);
    await asShop('put', '/features/referral_program').send({ enabled: true }).expect(200);
    await asShop('put', '/configurations/referral_commission_percent').send({ value: 10 }).expect(200);
    await asShop('post', '/plans')
      .send({ name: { en: 'Monthly' }, periodDays: 30, priceMinor: PRICE, trafficLimitGb: 50, deviceLimit: 2, panelId })
      .expect(201);
    await asShop('post', '/payment-cards')
      .send({ cardNumber: '6037990000000006', cardHolderName: 'Ali Rezaei', bankName: 'Melli' })
      .expect(201);
    worker = await spawnWorker(env.vars);
    await emu.waitForPolling(tg.id, 30_000);
    browser = await launchBrowser();

    // Through the product: Roya starts the bot, Kaveh joins by her link and buys by card, the shop approves.
    const roya = new BotChat(emu, tg, REFERRER);
    await roya.send('/start');
    const referrer = await userOf(REFERRER.id);
    const chat = new BotChat(emu, tg, BUYER);
    await chat.send(`/start ref_${referrer.referralCode}`);
    await chat.buyByCard('Monthly');
    await chat.submitReceipt();
    const buyer = await userOf(BUYER.id);
    const pending = (await get('/card-payments?status=pending')).items as { id: string; userId: string }[];
    const payment = pending.find((p) => p.userId === buyer.id)!;
    await api.as(tenant.apiToken, 'post', `/v1/bots/${tenant.id}/card-payments/${payment.id}/approve`).expect(200);
    await chat.message(isDelivery, 30_000);
    await waitFor(async () => (await get('/referral-earnings')).items.length === 1, 30_000);
    sale = { buyerId: buyer.id, referrerId: referrer.id, chat };
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await worker?.stop();
    await api?.close();
    await rw?.stop();
    await emu.close();
    await env?.cleanup();
  });

  afterEach(() => expect(pageErrors.splice(0)).toEqual([]));

  it("resends the buyer's link from their card: the bot sends it again, once; so does the bot's /admin", async () => {
    const deliveries = () => sale.chat.messages().filter(isDelivery);
    expect(deliveries()).toHaveLength(1);
    const [sub] = (await get(`/subscriptions?userId=${sale.buyerId}`)).items as { subscriptionUrl: string }[];

    const page = await open(`customers/${sale.buyerId}`);
    await page.getByTestId('resend-link').click();
    await page.getByTestId('resend-sent').waitFor();
    await screenshot(page, 'resend-link-en');
    await waitFor(() => deliveries().length === 2, 30_000);
    expect(textOf(deliveries()[1])).toContain(sub.subscriptionUrl);
    // Nothing more arrives (one press, one message).
    await new Promise((r) => setTimeout(r, 1500));
    expect(deliveries()).toHaveLength(2);
    await page.close();

    // The bot's /admin button is the same use case: past the minute that collapses repeated presses, the owner's
    // tap sends it once more.
    await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 200));
    const owner = new BotChat(emu, tg, OWNER);
    const card = await owner.send(`/find ${BUYER.id}`, has(String(BUYER.id)));
    const answer = await owner.tap(card, 'ad:us:');
    expect(answer.text).toBe('🔗 The link was sent to the customer again.');
    await waitFor(() => deliveries().length === 3, 30_000);
  });

  it('lists the commission on the Referrals page (en; fa with a Solar Hijri date) and on the referrer’s card', async () => {
    const page = await open('customers');
    await page.getByRole('link', { name: 'Referrals' }).click();
    const row = page.getByTestId('referral-earnings').locator('tbody tr');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    await row.getByText('Roya').waitFor();
    await row.getByText('Kaveh').waitFor();
    await row.getByText('30,000').waitFor();
    await row.getByText('Credited').waitFor();
    await screenshot(page, 'referrals-en');
    await page.close();

    const fa = await open('referrals', 'fa');
    const faRow = fa.getByTestId('referral-earnings').locator('tbody tr');
    await faRow.first().waitFor();
    // The earning's year in the Solar Hijri calendar, in Persian digits.
    const year = new Intl.DateTimeFormat('fa-IR-u-ca-persian', { year: 'numeric' }).format(new Date());
    await faRow
      .getByText(year.replace(/[^\d۰-۹]/g, ''), { exact: false })
      .first()
      .waitFor();
    await fa.getByText('واریز شده').waitFor();
    await screenshot(fa, 'referrals-fa');
    await fa.close();

    const card = await open(`customers/${sale.referrerId}`);
    const summary = card.getByTestId('referral-summary');
    await summary.getByText(/Joined by their link: 1/).waitFor();
    await summary.getByText(/Of them bought: 1/).waitFor();
    const earned = card.getByTestId('referral-earnings').locator('tbody tr');
    await earned.getByText('Kaveh').waitFor();
    await earned.getByText('30,000').waitFor();
    await card.close();
  });
});
