import { readFile } from 'node:fs/promises';
import QRCode from 'qrcode';
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

const RW_KEY = 'rw-console-sales-key';
const PRICE = 400_000;
const FIRST: UserInput = { id: 882_101, first_name: 'Sara', language_code: 'en', username: 'sara_buys' };
const SECOND: UserInput = { id: 882_102, first_name: 'Reza', language_code: 'en' };
const THIRD: UserInput = { id: 882_103, first_name: 'Mina', language_code: 'en' };

/** The subscription message the worker sends once the VPN account exists (a QR photo with the link). */
const isDelivery = (m: ChatMessage) => m.method === 'sendPhoto' && textOf(m).includes('Your subscription is ready');

/**
 * The reseller's sales pages in a real browser (Debian's Chromium) against the real API, a spawned worker, the
 * Telegram emulator and a Remnawave panel emulator. The data is made the way a shop makes it: the bot registered
 * through the API, customers buying by card in the bot and sending a receipt photo. The receipt approved in the
 * page reaches the customer as their subscription; a receipt someone else approved first is said so; the
 * dashboard is right to left in Persian with its charts drawn; the receipt queue fits a phone.
 */
describe('console: the reseller sales pages', () => {
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
  let first: BotChat;
  let second: BotChat;
  let receiptPhoto: Buffer;
  /** The first customer's receipt photo, as Telegram knows it (the second customer sends it again). */
  let firstPhotoId: string;
  /** Errors thrown in the pages (a React crash, say); every test ends with none. */
  const pageErrors: string[] = [];
  const contexts: BrowserContext[] = [];

  const get = async (path: string) =>
    (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}${path}`).expect(200)).body;
  const pendingPayments = async (): Promise<{ id: string; userId: string; isFlagged: boolean }[]> =>
    (await get('/card-payments?status=pending')).items;

  /** A customer buys the plan by card in the bot and sends the receipt photo; returns their pending payment. */
  async function buyAndSendReceipt(chat: BotChat, photo: { bytes: Buffer } | { fileId: string }) {
    await chat.buyByCard('Monthly');
    const before = chat.lastId();
    const sent = chat.sendPhoto(photo);
    await chat.next(before, has('under review'));
    const [user] = (await get(`/users?search=${chat.user.id}`)).items as { id: string }[];
    const payment = (await pendingPayments()).find((p) => p.userId === user.id);
    if (!payment) throw new Error(`no pending payment of ${chat.user.first_name}`);
    return { userId: user.id, paymentId: payment.id, fileId: sent.fileIds[sent.fileIds.length - 1] };
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
    tg = emu.createBot({ username: 'console_sales_bot' });
    tenant = await api.registerBot(tg, { name: 'Sales shop', ownerTelegramId: 882_001 });
    await api
      .as(api.master, 'post', `/v1/admin/bots/${tenant.id}/wallet/top-ups`)
      .set('Idempotency-Key', `console-sales-${tenant.id}`)
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
    first = new BotChat(emu, tg, FIRST);
    second = new BotChat(emu, tg, SECOND);
    receiptPhoto = await QRCode.toBuffer('Bank receipt: 400,000 IRR to 6037-9900-0000-0006', { width: 360 });
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

  /** A page of the tenant's console at `path` (under /console/bots/<id>/), signed in with the API token. */
  async function open(path: string, opts: { lang?: 'en' | 'fa'; phone?: boolean } = {}): Promise<Page> {
    const context = await newContext(browser, { phone: opts.phone });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
    page.setDefaultTimeout(10_000);
    await signInWithToken(page, origin, tenant.apiToken, opts.lang ?? 'en');
    await page.goto(`${origin}/console/bots/${tenant.id}/${path}`);
    await page.locator('main').waitFor();
    page.setDefaultTimeout(30_000);
    return page;
  }

  afterEach(() => expect(pageErrors.splice(0)).toEqual([]));

  /** Whether the page is wider than the window (a phone would scroll sideways). */
  const overflows = (page: Page) =>
    page.evaluate('document.documentElement.scrollWidth > window.innerWidth') as Promise<boolean>;

  it('a receipt approved in the Receipts page reaches the customer as their subscription link', async () => {
    const { userId, paymentId, fileId } = await buyAndSendReceipt(first, { bytes: receiptPhoto });
    firstPhotoId = fileId;

    const page = await open('receipts');
    const card = page.locator(`[data-testid=receipt][data-payment-id="${paymentId}"]`);
    await card.waitFor();
    // The photo comes through the API's signed URL, and it is the photo the customer sent.
    const img = card.getByTestId('receipt-photo');
    await img.waitFor();
    // Loaded and decoded: the browser knows its width.
    const loaded = (el: unknown) => {
      const image = el as { complete: boolean; naturalWidth: number };
      return image.complete && image.naturalWidth > 0;
    };
    await waitFor(async () => (await img.evaluate(loaded)) || undefined, 10_000);
    const src = (await img.getAttribute('src'))!;
    expect(src).toMatch(/^\/v1\/media\/receipts\//);
    expect(src).not.toContain(tg.token);
    const served = await fetch(`${origin}${src}`);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(receiptPhoto);
    const details = await card.innerText();
    expect(details).toContain('IRR');
    expect(details).toContain('400,000');
    expect(details).toContain('•••• 0006');
    expect(details).toContain('Sara @sara_buys');
    expect(details).toMatch(/C2C-\d{6}-[0-9A-Z]{6}/);
    await card.getByTestId('flag-used-before').waitFor({ state: 'detached' });
    await screenshot(page, 'receipts-en');

    await card.getByTestId('approve').click();
    await page.getByTestId('notice').filter({ hasText: 'Approved' }).waitFor();
    await page.getByTestId('receipts-empty').waitFor();

    const delivered = await first.message(isDelivery, 30_000);
    const [sub] = (await get(`/subscriptions?userId=${userId}`)).items as { subscriptionUrl: string }[];
    expect(sub.subscriptionUrl).toBeTruthy();
    expect(delivered.sourceCaption ?? delivered.caption).toContain(sub.subscriptionUrl);
    expect((await get(`/card-payments/${paymentId}`)).status).toBe('approved');
    await page.close();
  });

  it('a photo sent before is flagged; the queue fits a phone; a receipt someone else approved first is said so', async () => {
    const { paymentId } = await buyAndSendReceipt(second, { fileId: firstPhotoId });

    const phone = await open('receipts', { phone: true });
    const card = phone.locator(`[data-testid=receipt][data-payment-id="${paymentId}"]`);
    await card.waitFor();
    await card.getByTestId('flag-used-before').waitFor();
    await card.getByTestId('receipt-photo').waitFor();
    expect(await overflows(phone)).toBe(false);
    await screenshot(phone, 'receipts-phone-en');
    await phone.close();

    const fa = await open('receipts', { lang: 'fa' });
    await fa.locator(`[data-testid=receipt][data-payment-id="${paymentId}"]`).getByText('عکس تکراری').waitFor();
    expect(await overflows(fa)).toBe(false);
    await screenshot(fa, 'receipts-fa');
    await fa.close();

    const page = await open('receipts');
    const desk = page.locator(`[data-testid=receipt][data-payment-id="${paymentId}"]`);
    await desk.waitFor();
    await screenshot(page, 'receipts-flagged-en');
    // Another admin approves it (in the bot, or another console) while this page shows it.
    await api.as(tenant.apiToken, 'post', `/v1/bots/${tenant.id}/card-payments/${paymentId}/approve`).expect(200);
    await desk.getByTestId('approve').click();
    await page.getByTestId('notice').filter({ hasText: 'Someone else reviewed this receipt first' }).waitFor();
    await page.getByTestId('receipts-empty').waitFor();
    await second.message(isDelivery, 30_000);
    await page.close();
  });

  it('the dashboard: right to left in Persian with the charts drawn; the sales, revenue and wallet figures', async () => {
    const fa = await open('dashboard', { lang: 'fa' });
    const revenue = fa.getByTestId('chart-revenue');
    await revenue.locator('svg path.recharts-area-curve').first().waitFor();
    expect(await fa.evaluate('document.documentElement.dir')).toBe('rtl');
    const drawn = await revenue
      .locator('svg path.recharts-area-curve')
      .evaluateAll((paths) => paths.filter((p) => (p.getAttribute('d') ?? '').trim().length > 0).length);
    expect(drawn).toBeGreaterThan(0);
    await fa.getByTestId('chart-sales').locator('svg path.recharts-rectangle').first().waitFor();
    const text = await fa.locator('main').innerText();
    expect(text).toContain('درآمد روزانه');
    expect(text).toContain('۸۰۰٬۰۰۰'); // two sales of 400,000 IRR, in Persian digits
    expect(text).not.toMatch(/\d/); // no Latin digits in Persian
    await screenshot(fa, 'dashboard-fa');
    await fa.close();

    const en = await open('dashboard');
    await en.getByTestId('chart-revenue').locator('svg path.recharts-area-curve').first().waitFor();
    expect(await en.evaluate('document.documentElement.dir')).toBe('ltr');
    const figures = await en.locator('main').innerText();
    expect(figures).toContain('800,000');
    expect(figures).toMatch(/Receipts waiting\s*0/);
    expect(figures).toContain('Wallet: free');
    await screenshot(en, 'dashboard-en');
    await en.close();

    const phone = await open('dashboard', { lang: 'fa', phone: true });
    await phone.getByTestId('chart-revenue').locator('svg path.recharts-area-curve').first().waitFor();
    expect(await overflows(phone)).toBe(false);
    await screenshot(phone, 'dashboard-phone-fa');
    await phone.close();
  });

  it("a customer's card: subscriptions and wallet; a balance adjustment is confirmed first, then in the ledger", async () => {
    const page = await open('customers');
    await page.getByLabel('Search').fill('sara');
    const link = page.getByTestId('customer-link').filter({ hasText: 'Sara' });
    await link.waitFor();
    await page.getByTestId('customer-link').filter({ hasText: 'Reza' }).waitFor({ state: 'detached' });
    await screenshot(page, 'customers-en');
    await link.click();
    await page.getByText('Active', { exact: true }).first().waitFor();

    await page.getByTestId('adjust-balance').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/Amount/).fill('25000');
    await dialog.getByLabel('Reason').fill('Sorry for the downtime');
    await dialog.getByRole('button', { name: 'Continue' }).click();
    await dialog.getByText(/Add .*25,000.* to the wallet of Sara/).waitFor();
    const [user] = (await get(`/users?search=${FIRST.id}`)).items as { id: string; balanceMinor: number }[];
    expect(user.balanceMinor).toBe(0); // asking is not adjusting
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'Sorry for the downtime' }).waitFor();
    expect((await get(`/users/${user.id}`)).balanceMinor).toBe(25_000);
    await screenshot(page, 'customer-card-en');
    await page.close();

    const fa = await open(`customers/${user.id}`, { lang: 'fa', phone: true });
    await fa.getByRole('cell', { name: 'Sorry for the downtime' }).waitFor();
    expect(await overflows(fa)).toBe(false);
    await screenshot(fa, 'customer-card-phone-fa');
    await fa.close();
  });

  it('orders, payments, the wholesale ledger with its CSV download, and the audit log', async () => {
    const orders = await open('orders');
    await orders.getByRole('row').filter({ hasText: 'Delivered' }).first().waitFor();
    expect(await orders.getByRole('row').filter({ hasText: 'Card to card' }).count()).toBe(2);
    await screenshot(orders, 'orders-en');
    // Made from tomorrow on: none (the API's from/to filter, by UTC day).
    await orders.getByLabel('From').fill(new Date(Date.now() + 86_400_000).toISOString().slice(0, 10));
    await orders.getByText('Nothing here yet').waitFor();
    await orders.getByLabel('From').fill(new Date().toISOString().slice(0, 10));
    await orders.getByRole('row').filter({ hasText: 'Delivered' }).first().waitFor();
    await orders.close();

    const payments = await open('payments');
    await payments.getByRole('row').filter({ hasText: 'Approved' }).first().waitFor();
    await screenshot(payments, 'payments-en');
    await payments.close();

    const wallet = await open('wallet');
    await wallet.getByRole('row').filter({ hasText: 'Bank transfer' }).waitFor();
    await screenshot(wallet, 'wallet-en');
    const [download] = await Promise.all([wallet.waitForEvent('download'), wallet.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^wallet-ledger-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'createdAt,type,amountMinor,balanceAfterMinor,heldAfterMinor,currency,reference,note,createdBy,id',
    );
    expect(csv).toContain(',top_up,5000000,5000000,0,IRR,');
    await wallet.close();

    const audit = await open('audit-log');
    await audit.getByRole('row').filter({ hasText: 'card_payment.approve' }).first().waitFor();
    const adjustment = audit.getByRole('row').filter({ hasText: 'user.balance_adjustment' });
    await adjustment.waitFor();
    await screenshot(audit, 'audit-log-en');
    // The entry's before and after, as recorded: the reason the owner typed in the customer's card.
    await adjustment.getByRole('button', { name: 'Details' }).click();
    await audit.getByRole('dialog').getByText('"reason": "Sorry for the downtime"').waitFor();
    await audit.close();

    const walletFa = await open('wallet', { lang: 'fa', phone: true });
    await walletFa.getByRole('row').filter({ hasText: 'Bank transfer' }).waitFor();
    expect(await overflows(walletFa)).toBe(false);
    await screenshot(walletFa, 'wallet-phone-fa');
    await walletFa.close();
  });

  it('a receipt rejected in the page with a reason: the customer is told the reason and may send another', async () => {
    const third = new BotChat(emu, tg, THIRD);
    const photo = await QRCode.toBuffer('Bank receipt: 40,000 IRR', { width: 360 });
    const { paymentId } = await buyAndSendReceipt(third, { bytes: photo });
    const page = await open('receipts');
    const card = page.locator(`[data-testid=receipt][data-payment-id="${paymentId}"]`);
    await card.getByTestId('reject').click();
    const dialog = page.getByRole('dialog');
    const submit = dialog.getByRole('button', { name: 'Reject' });
    expect(await submit.isDisabled()).toBe(true); // no reason, no rejection
    await dialog.getByLabel('Reason').fill('The amount on the receipt is 40,000, not 400,000');
    await page.waitForTimeout(400); // the modal's fade-in, for the picture only
    await screenshot(page, 'receipts-reject-en');
    const before = third.lastId();
    await submit.click();
    await page.getByTestId('notice').filter({ hasText: 'Rejected' }).waitFor();
    await page.getByTestId('receipts-empty').waitFor();
    const told = await third.next(before, has('was not accepted'));
    expect(textOf(told)).toContain('Reason: The amount on the receipt is 40,000, not 400,000');
    expect(textOf(told)).toContain('You can send another receipt');
    expect((await get(`/card-payments/${paymentId}`)).rejectionReason).toBe(
      'The amount on the receipt is 40,000, not 400,000',
    );
    await page.close();
  });
});
