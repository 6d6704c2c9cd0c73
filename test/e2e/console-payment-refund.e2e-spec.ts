import type { Browser, BrowserContext } from 'playwright-core';
import { waitFor } from '@botfleet/testing';
import { BotChat, buttonsOf, ChatMessage, has, withButton } from './support/bot-chat';
import { launchBrowser, newContext, screenshot, signInWithToken } from './support/browser';
import { hostedShop } from './support/hosted-shop';

const STARS = 250;
const BUYER = { id: 883_101, first_name: 'Sara', language_code: 'en' };
/** An admin of the shop whose role may look payments up but not refund them (no `wallet`). */
const ADMIN = { id: 883_102, first_name: 'Reza', language_code: 'en' };
const PUBLIC = 'https://console.botfleet.test';

const linkOf = (m: ChatMessage): string | undefined =>
  (buttonsOf(m) as { url?: string }[]).find((b) => b.url?.startsWith(`${PUBLIC}/console/login#code=`))?.url;

/**
 * Refunding a Telegram Stars payment from the console's Payments page, in a real browser (Debian's Chromium): the
 * API runs in this process and serves the console, a spawned worker hosts the shop's bot against the Telegram
 * emulator (which records refundStarPayment) and provisions on a Remnawave emulator. The buyer pays with Stars in
 * the bot; the shop owner refunds it with a click.
 */
describe('console: refunding a Telegram Stars payment from the Payments page', () => {
  jest.setTimeout(240_000);
  const shop = hostedShop({
    api: 'listening',
    remnawaveKey: 'rw-console-payment-refund-key',
    env: { PUBLIC_BASE_URL: PUBLIC },
    join: { ownerTelegramId: 883_100 },
    wholesaleWallet: 1_000_000,
    wholesalePrice: { perPlanMinor: 1000, perGbMinor: 0, perDayMinor: 0, unlimitedTrafficGb: 0 },
    arrange: async (s) => {
      await s.addPlan({
        name: { en: 'Monthly' },
        periodDays: 30,
        priceMinor: 500_000,
        priceStars: STARS,
        trafficLimitGb: 10,
        deviceLimit: 1,
      });
      await s.api('put', `/v1/bots/${s.botId}/features/telegram_stars`).send({ enabled: true }).expect(200);
      await s.setAdmins([{ telegramId: ADMIN.id, role: 'admin' }]);
    },
  });
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
  });

  /** The admin signs in to the console with the one-time link the bot's /admin gives them. */
  async function signInFromBot(page: import('playwright-core').Page): Promise<void> {
    const chat = new BotChat(shop.emu, shop.tg, ADMIN, { timeoutMs: 20_000 });
    const menu = await chat.send('/admin', withButton('wc:o'));
    const before = chat.lastId();
    await chat.tap(menu, 'wc:o');
    const link = linkOf(await chat.next(before, (m) => !!linkOf(m)))!.replace(PUBLIC, shop.apiUrl);
    await page.goto(link);
    await page.waitForURL(/\/dashboard$/);
  }

  it('Refund on a Stars payment (not offered to a role without wallet) calls refundStarPayment once on a double click; the row shows Refunded', async () => {
    // The buyer pays the plan with Stars in the bot and gets the link.
    const chat = new BotChat(shop.emu, shop.tg, BUYER);
    const before = chat.lastId();
    chat.press(await chat.buy('pg:stars:'), 'pg:stars:');
    const invoice = await chat.next(before, (m) => m.method === 'sendInvoice');
    const paid = await chat.payInvoice(invoice);
    expect(paid.answer.ok).toBe(true);
    await chat.message(has('Stars payment received'));
    await chat.message((m) => m.method === 'sendPhoto', 30_000);
    const chargeId = paid.payment!.telegramPaymentChargeId;
    const list = await shop.api('get', `/v1/bots/${shop.botId}/payments?method=stars`).expect(200);
    const [payment] = list.body.items as { id: string; status: string; refundable: boolean }[];
    expect(payment).toMatchObject({ status: 'paid', refundable: true });

    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signInWithToken(page, shop.apiUrl, shop.apiToken, 'en');
    await page.goto(`${shop.apiUrl}/console/bots/${shop.botId}/payments`);
    const row = page.getByTestId('payment-row').filter({ hasText: 'Telegram Stars' });
    await row.getByTestId('refund-payment').waitFor();

    // An admin whose role may not refund sees the same paid row without the action.
    const adminContext = await newContext(browser);
    contexts.push(adminContext);
    const adminPage = await adminContext.newPage();
    adminPage.on('pageerror', (e) => pageErrors.push(e.message));
    await adminPage.addInitScript(() => localStorage.setItem('bf.lang', 'en'));
    await signInFromBot(adminPage);
    await adminPage.goto(`${shop.apiUrl}/console/bots/${shop.botId}/payments`);
    const adminRow = adminPage.getByTestId('payment-row').filter({ hasText: 'Telegram Stars' });
    await adminRow.getByText('Paid').waitFor();
    expect(await adminPage.getByTestId('refund-payment').count()).toBe(0);

    await row.getByTestId('refund-payment').click();
    await page.getByText(`Give ${STARS} XTR back through Telegram Stars?`).waitFor();
    await screenshot(page, 'payment-refund-confirm-en');
    // A double click refunds once.
    await page.getByTestId('refund-payment-confirm').dblclick();
    await page.getByTestId('refund-payment-confirm').waitFor({ state: 'detached' });
    await row.getByText('Refunded').waitFor();
    expect(await row.getByTestId('refund-payment').count()).toBe(0);

    await waitFor(async () => {
      const now = await shop.api('get', `/v1/bots/${shop.botId}/payments/${payment.id}`).expect(200);
      return now.body.status === 'refunded';
    }, 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(shop.emu.getRefunds(shop.tg.id).filter((r) => r.telegramPaymentChargeId === chargeId)).toHaveLength(1);
    expect(shop.emu.getRefunds(shop.tg.id)).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  });
});
