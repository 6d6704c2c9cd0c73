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
import { BotChat, ChatMessage, QUICK_BOT_LEASES, textOf } from './support/bot-chat';
import { launchBrowser, listen, newContext, screenshot, signInWithToken } from './support/browser';
import { HostedTenant, PublicApi } from './support/public-api';

const RW_KEY = 'rw-console-refund-key';
const PRICE = 300_000;
const BUYER: UserInput = { id: 882_301, first_name: 'Nima', language_code: 'en' };
const OTHER: UserInput = { id: 882_302, first_name: 'Leila', language_code: 'en' };

/** The subscription message the worker sends once the VPN account exists (a QR photo with the link). */
const isDelivery = (m: ChatMessage) => m.method === 'sendPhoto' && textOf(m).includes('Your subscription is ready');

/**
 * Taking a sale back from the console, in a real browser (Debian's Chromium) against the real API, a spawned worker,
 * the Telegram emulator and a Remnawave panel emulator: a card receipt the shop approved is refunded from the
 * customer's card (reason, destination, confirmation) — the customer gets the money in their wallet and a message,
 * the VPN account is switched off; a subscription is switched off by hand from the same card.
 */
describe('console: refunding an order and switching a subscription off', () => {
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

  const get = async (path: string) =>
    (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}${path}`).expect(200)).body;

  /** A customer buys by card, sends the receipt, the shop approves it over REST; waits for the delivery. */
  async function approvedSale(chat: BotChat) {
    await chat.buyByCard('Monthly');
    await chat.submitReceipt();
    const [user] = (await get(`/users?search=${chat.user.id}`)).items as { id: string }[];
    const pending = (await get('/card-payments?status=pending')).items as { id: string; userId: string }[];
    const payment = pending.find((p) => p.userId === user.id)!;
    await api.as(tenant.apiToken, 'post', `/v1/bots/${tenant.id}/card-payments/${payment.id}/approve`).expect(200);
    await chat.message(isDelivery, 30_000);
    const [sub] = (await get(`/subscriptions?userId=${user.id}`)).items as { id: string; status: string }[];
    const [order] = (await get(`/orders?userId=${user.id}`)).items as { id: string; status: string }[];
    const account = rw.accounts().find((a) => a.telegramId === chat.user.id)!;
    expect(account.enabled).toBe(true);
    return { userId: user.id, subscriptionId: sub.id, orderId: order.id, username: account.username };
  }

  async function open(path: string): Promise<Page> {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
    page.setDefaultTimeout(10_000);
    await signInWithToken(page, origin, tenant.apiToken, 'en');
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
    tg = emu.createBot({ username: 'console_refund_bot' });
    tenant = await api.registerBot(tg, { name: 'Refund shop', ownerTelegramId: 882_300 });
    await api
      .as(api.master, 'post', `/v1/admin/bots/${tenant.id}/wallet/top-ups`)
      .set('Idempotency-Key', `console-refund-${tenant.id}`)
      .send({ amountMinor: 5_000_000, note: 'Bank transfer' })
      .expect(201);
    await api
      .as(tenant.apiToken, 'post', `/v1/bots/${tenant.id}/plans`)
      .send({ name: { en: 'Monthly' }, periodDays: 30, priceMinor: PRICE, trafficLimitGb: 50, deviceLimit: 2, panelId })
      .expect(201);
    await api
      .as(tenant.apiToken, 'post', `/v1/bots/${tenant.id}/payment-cards`)
      .send({ cardNumber: '6037990000000006', cardHolderName: 'Ali Rezaei', bankName: 'Melli' })
      .expect(201);
    worker = await spawnWorker(env.vars);
    await emu.waitForPolling(tg.id, 30_000);
    browser = await launchBrowser();
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

  it("refunds an approved card sale to the customer's wallet from their card, once", async () => {
    const chat = new BotChat(emu, tg, BUYER);
    const sale = await approvedSale(chat);

    const page = await open(`customers/${sale.userId}`);
    const refund = page.getByTestId('refund-order');
    await refund.waitFor();
    await refund.click();
    // Without a reason it does not go on.
    expect(await page.getByTestId('refund-continue').isDisabled()).toBe(true);
    await page.getByTestId('refund-reason').fill('Receipt approved by mistake');
    await page.getByTestId('refund-continue').click();
    await page.getByText(/300,000.* goes to the customer's wallet/).waitFor();
    await screenshot(page, 'refund-confirm-en');
    // A double click refunds once.
    await page.getByTestId('refund-confirm').dblclick();
    await page.getByTestId('refund-order').waitFor({ state: 'detached' });

    expect((await get(`/orders?userId=${sale.userId}`)).items[0].status).toBe('refunded');
    const wallet = await get(`/users/${sale.userId}/wallet`);
    expect(wallet.balanceMinor).toBe(PRICE);
    expect((wallet.items as { type: string }[]).filter((e) => e.type === 'refund')).toHaveLength(1);
    await waitFor(() => rw.account(sale.username)?.enabled === false, 30_000);
    await waitFor(async () => (await get(`/subscriptions?userId=${sale.userId}`)).items[0].status === 'disabled');
    const told = await chat.message((m) => textOf(m).includes('The shop refunded your order'), 30_000);
    expect(textOf(told)).toContain('300,000');
    await page.close();
  });

  it("switches a customer's subscription off by hand from their card", async () => {
    const chat = new BotChat(emu, tg, OTHER);
    const sale = await approvedSale(chat);

    const page = await open(`customers/${sale.userId}`);
    await page.getByTestId('disable-subscription').click();
    await page.getByTestId('disable-reason').fill('Shared the link publicly');
    await page.getByTestId('disable-continue').click();
    await page.getByTestId('disable-confirm').click();
    await page.getByTestId('disable-confirm').waitFor({ state: 'detached' });

    await waitFor(() => rw.account(sale.username)?.enabled === false, 30_000);
    await waitFor(async () => (await get(`/subscriptions?userId=${sale.userId}`)).items[0].status === 'disabled');
    // Switching off is not a refund.
    expect((await get(`/orders?userId=${sale.userId}`)).items[0].status).toBe('fulfilled');
    expect((await get(`/users/${sale.userId}/wallet`)).balanceMinor).toBe(0);
    await page.close();
  });
});
