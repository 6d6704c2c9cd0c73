import type { Browser, Page } from 'playwright-core';
import { createTestEnv, EmulatedBot, spawnWorker, TelegramEmulator, TestEnv, WorkerProcess } from '@botfleet/testing';
import { BotChat, buttonsOf, ChatMessage, QUICK_BOT_LEASES, withButton } from './support/bot-chat';
import { launchBrowser, listen, newContext, screenshot } from './support/browser';
import { HostedTenant, PublicApi } from './support/public-api';

/** The console's public address as the bot writes it into links (Telegram wants https and a real host name). */
const PUBLIC = 'https://console.botfleet.test';
const OWNER = { id: 718_001, first_name: 'Owner', language_code: 'en' };
const OTHER_OWNER = { id: 718_002, first_name: 'Other', language_code: 'en' };

const linkOf = (m: ChatMessage): string | undefined =>
  (buttonsOf(m) as { url?: string }[]).find((b) => b.url?.startsWith(`${PUBLIC}/console/login#code=`))?.url;

/**
 * Signing in to the console in a real browser (Debian's Chromium) through the bot's one-time link: the owner
 * presses "Open the web console" in the emulated bot, opens the link, and lands on the shop's dashboard with the
 * code gone from the address bar; the same link opened again is refused; another shop's pages answer "not found";
 * signing out leaves nothing that still opens the shop.
 */
describe('console: signing in with the link from the bot', () => {
  jest.setTimeout(180_000);
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let api: PublicApi;
  let worker: WorkerProcess;
  let browser: Browser;
  let origin: string;
  let shopTg: EmulatedBot;
  let shop: HostedTenant;
  let other: HostedTenant;
  const pageErrors: string[] = [];

  /** The owner asks the bot for a link; returns it pointed at the API under test (same path and fragment). */
  async function linkFromBot(): Promise<string> {
    const chat = new BotChat(emu, shopTg, OWNER, { timeoutMs: 20_000 });
    const menu = await chat.send('/admin', withButton('wc:o'));
    const before = chat.lastId();
    await chat.tap(menu, 'wc:o');
    const message = await chat.next(before, (m) => !!linkOf(m));
    return linkOf(message)!.replace(PUBLIC, origin);
  }

  async function openPage(lang: 'en' | 'fa' = 'en'): Promise<Page> {
    const context = await newContext(browser);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.addInitScript((l) => localStorage.setItem('bf.lang', l), lang);
    return page;
  }

  beforeAll(async () => {
    const url = await emu.listen(0);
    shopTg = emu.createBot({ username: 'link_shop_bot' });
    env = await createTestEnv({ TELEGRAM_API_ROOT: url, PUBLIC_BASE_URL: PUBLIC, ...QUICK_BOT_LEASES });
    api = await PublicApi.start(env);
    origin = await listen(api.app);
    shop = await api.registerBot(shopTg, { name: 'Link Shop', ownerTelegramId: OWNER.id });
    other = await api.registerBot(emu.createBot({ username: 'other_shop_bot' }), {
      name: 'Other Shop',
      ownerTelegramId: OTHER_OWNER.id,
    });
    worker = await spawnWorker(env.vars);
    await emu.waitForPolling(shopTg.id, 30_000);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await api?.close();
    await emu.close();
    await env?.cleanup();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it("the link opens the shop's dashboard, signed in, and leaves no code in the address bar", async () => {
    const link = await linkFromBot();
    const page = await openPage();
    await page.goto(link);
    await page.waitForURL(`${origin}/console/bots/${shop.id}/dashboard`);
    expect(new URL(page.url()).hash).toBe('');
    await page.getByText('Link Shop').first().waitFor();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'bf_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // The page cannot read its own session: only the CSRF token is in the page's storage.
    expect(await page.evaluate(() => document.cookie)).not.toContain('bf_session');
    await screenshot(page, 'signed-in-by-link-en');

    // The same link again, in another browser: refused, and the page says what to do.
    const again = await openPage();
    await again.goto(link);
    await again.getByTestId('login-error').waitFor();
    expect(await again.getByTestId('login-error').innerText()).toContain('expired or was already used');
    expect(new URL(again.url()).pathname).toBe('/console/login');
    await again.context().close();
    await page.context().close();
  });

  it("another shop's pages answer not found; its data never reaches the page", async () => {
    const page = await openPage();
    await page.goto(await linkFromBot());
    await page.waitForURL(/\/dashboard$/);
    const answers: number[] = [];
    page.on('response', (r) => {
      if (r.url().includes(`/v1/bots/${other.id}`)) answers.push(r.status());
    });
    await page.goto(`${origin}/console/bots/${other.id}/dashboard`);
    await page.getByRole('alert').filter({ hasText: 'Not found' }).first().waitFor();
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((s) => s === 404)).toBe(true);
    expect(await page.content()).not.toContain('Other Shop');
    await page.context().close();
  });

  it('in Persian the sign-in page is right to left; signing out ends the session for good', async () => {
    const page = await openPage('fa');
    await page.goto(await linkFromBot());
    await page.waitForURL(/\/dashboard$/);
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await page.getByRole('button', { name: 'خروج' }).click();
    await page.waitForURL(`${origin}/console/login`);
    await screenshot(page, 'sign-in-fa');
    // Back to a shop page: the sign-in page again, and the API refuses whatever cookie the browser still has.
    await page.goto(`${origin}/console/bots/${shop.id}/dashboard`);
    await page.waitForURL(`${origin}/console/login`);
    const status = await page.evaluate(async (id) => (await fetch(`/v1/bots/${id}`)).status, shop.id);
    expect(status).toBe(401);
    await page.context().close();
  });

  it('on a phone the sign-in page and the dashboard fit the screen', async () => {
    const context = await newContext(browser, { phone: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(await linkFromBot());
    await page.waitForURL(/\/dashboard$/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'dashboard-phone-en');
    await context.close();
  });
});
