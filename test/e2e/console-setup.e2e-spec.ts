import type { Page } from 'playwright-core';
import { TelegramEmulator } from '@botfleet/testing';
import { BotChat, buttonsOf, ChatMessage, has, textOf, withButton } from './support/bot-chat';
import { screenshot } from './support/browser';
import { consoleShop } from './support/console-shop';
import { HostedTenant, PublicApi } from './support/public-api';

/** The console's public address as the bot writes it into sign-in links. */
const PUBLIC = 'https://console.botfleet.test';

/**
 * The reseller's setup pages in a real browser (Debian's Chromium) against the real API, a spawned worker and
 * the Telegram emulator: a plan made in the Plans page is on sale in the bot; the API's field errors land on the
 * fields (a card failing Luhn, a welcome text too long) and a refused edit changes nothing; the texts page
 * previews the welcome as the bot will show it, and the bot then shows it.
 */
describe('console: the reseller setup pages', () => {
  jest.setTimeout(180_000);
  const shop = consoleShop({
    username: 'console_setup_bot',
    name: 'Setup shop',
    ownerTelegramId: 881_001,
    env: { PUBLIC_BASE_URL: PUBLIC },
  });
  const { emu } = shop;
  let api: PublicApi;
  let origin: string;
  let tenant: HostedTenant;
  let tg: ReturnType<TelegramEmulator['createBot']>;
  beforeAll(() => ({ api, origin, tenant, tg } = shop));
  const open = shop.open;

  it('a plan created in the Plans page is offered in the bot; a plan without a name is refused on the field', async () => {
    const page = await open('plans');
    await page.getByTestId('plan-create').click();
    const dialog = page.getByRole('dialog');

    // Nothing named: the API's 400 names `name`, shown on the name field; nothing is created.
    await dialog.getByLabel('Period (days)').fill('30');
    await dialog.getByLabel('Price (IRR)').fill('250000');
    await dialog.getByTestId('plan-save').click();
    await expectFieldError(dialog.getByLabel('Name (en)'));
    expect((await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/plans`).expect(200)).body).toEqual([]);

    await dialog.getByLabel('Name (en)').fill('Console Gold');
    await dialog.getByLabel('Name (fa)').fill('طلایی کنسول');
    await dialog.getByLabel('Traffic (GB)').fill('50');
    await dialog.getByLabel('Devices').fill('2');
    await dialog.getByTestId('plan-save').click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('plan-row').filter({ hasText: 'Console Gold' });
    await row.waitFor();
    expect(await row.innerText()).toContain('50 GB');
    const [plan] = (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/plans`).expect(200)).body;
    expect(plan).toMatchObject({
      name: { en: 'Console Gold', fa: 'طلایی کنسول' },
      periodDays: 30,
      priceMinor: 250_000,
    });
    await screenshot(page, 'plans-en');

    // A customer opens the shop and sees the plan by its name.
    const chat = new BotChat(emu, tg, { id: 881_500, first_name: 'Buyer', language_code: 'en' });
    const offer = await chat.send('/buy', withButton('s:p:'));
    expect(
      buttonsOf(offer)
        .map((b) => b.text)
        .join('\n'),
    ).toContain('Console Gold');

    const fa = await open('plans', { lang: 'fa' });
    await fa.getByTestId('plan-row').filter({ hasText: 'طلایی کنسول' }).waitFor();
    expect(await fa.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await screenshot(fa, 'plans-fa');

    const phone = await open('plans', { phone: true });
    await phone.getByTestId('plan-row').first().waitFor();
    await screenshot(phone, 'plans-phone-en');
  });

  it('a card failing the Luhn check shows the API error on the card number; a good one is listed', async () => {
    const page = await open('cards');
    await page.getByText('No active card').waitFor();
    await page.getByTestId('card-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Card number').fill('6037 9900 0000 0007');
    await dialog.getByLabel('Card holder').fill('Ali Rezaei');
    await dialog.getByTestId('card-save').click();
    const number = dialog.getByLabel('Card number');
    await expectFieldError(number, /Luhn/);
    expect((await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/payment-cards`).expect(200)).body).toEqual([]);

    await number.fill('6037 9900 0000 0006');
    await dialog.getByTestId('card-save').click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('card-row').filter({ hasText: '0006' });
    await row.waitFor();
    expect(await row.innerText()).toContain('Ali Rezaei');
    // The rotation's next card is the new one.
    await page.getByTestId('next-card').getByText('0006').waitFor();
    await screenshot(page, 'cards-en');
  });

  it('a plan that was ordered is deactivated, not deleted, when deleted from the page, and says so', async () => {
    const buyer = new BotChat(emu, tg, { id: 881_500, first_name: 'Buyer', language_code: 'en' });
    await buyer.buyByCard('Console Gold');

    const page = await open('plans');
    const row = page.getByTestId('plan-row').filter({ hasText: 'Console Gold' });
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('The plan has sales, so it was deactivated instead of deleted.').waitFor();
    await row.getByText('Inactive').waitFor();
    const [plan] = (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/plans`).expect(200)).body;
    expect(plan).toMatchObject({ name: { en: 'Console Gold' }, isActive: false });
  });

  it('a promo code out of its kind’s range is refused on the value; a good one is listed', async () => {
    const page = await open('promo-codes');
    await page.getByTestId('promo-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Code').fill('gold10');
    await dialog.getByLabel('Percent off (1–99)').fill('150');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expectFieldError(dialog.getByLabel('Percent off (1–99)'), /1 to 99/);
    expect((await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/promo-codes`).expect(200)).body.total).toBe(0);

    await dialog.getByLabel('Percent off (1–99)').fill('10');
    await dialog.getByLabel('Total uses').fill('100');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: 'GOLD10' });
    await row.waitFor();
    expect(await row.innerText()).toContain('10%');
    expect(await row.innerText()).toContain('0 / 100');
    await screenshot(page, 'promo-codes-en');
  });

  it('the welcome text shows in the preview as typed and in the bot once saved; a refused edit changes nothing', async () => {
    const page = await open('texts');
    const welcome = page.getByLabel('Welcome text (en)');
    const bubble = page.getByTestId('preview-bubble');
    await bubble.getByText('Welcome to').waitFor(); // the built-in welcome while none is set
    expect(await page.getByTestId('preview-button').allInnerTexts()).toContain('🛒 Buy a subscription');

    await welcome.fill('Hi! Fast and private VPN here.');
    await bubble.getByText('Hi! Fast and private VPN here.').waitFor();
    await page.getByTestId('save-welcome_text').click();
    await page.getByTestId('config-welcome_text').getByRole('status').waitFor();
    const stored = await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/configurations`).expect(200);
    expect(stored.body.find((c: { key: string }) => c.key === 'welcome_text').value).toEqual({
      en: 'Hi! Fast and private VPN here.',
    });

    // Too long: the API refuses it with the field named; the stored text stays.
    await welcome.fill('x'.repeat(3001));
    await page.getByTestId('save-welcome_text').click();
    await expectFieldError(welcome, /3000/);
    await page.reload();
    await expect_(page.getByLabel('Welcome text (en)')).toHaveValue('Hi! Fast and private VPN here.');
    await page.getByTestId('preview-bubble').getByText('Hi! Fast and private VPN here.').waitFor();

    const chat = new BotChat(emu, tg, { id: 881_600, first_name: 'Reader', language_code: 'en' });
    await chat.send('/start', has('Hi! Fast and private VPN here.'), 20_000);

    const fa = await open('texts', { lang: 'fa' });
    await fa.getByLabel('متن خوش‌آمد (fa)').fill('به فروشگاه ما خوش آمدید!');
    await fa.getByTestId('preview-bubble').getByText('به فروشگاه ما خوش آمدید!').waitFor();
    expect(await fa.getByTestId('preview-bubble').evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    await screenshot(fa, 'texts-fa');
  });

  it('a broadcast is drafted, previewed to the owner, started, and its progress shows the customers reached', async () => {
    const page = await open('broadcasts');
    await page.getByTestId('broadcast-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Message').fill('<b>New plans!</b> Gold is here.');
    await dialog.getByTestId('telegram-preview').getByText('New plans! Gold is here.').waitFor();
    await dialog.getByTestId('broadcast-save').click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('broadcast-row').first();
    await row.getByText('Draft').waitFor();
    expect(await row.innerText()).toContain('Everyone');
    // The page polls while the preview is on its way; Start opens once it has reached the owner.
    await row.getByText('Preview sent').waitFor({ timeout: 30_000 });
    await row.getByTestId('broadcast-start').click();
    await row.getByText('Sent', { exact: true }).waitFor({ timeout: 30_000 });
    // The two customers of the earlier tests (the buyer, the reader) got it.
    expect(await row.getByTestId('broadcast-progress').innerText()).toBe('2 sent · 0 failed · 2 in all');
    await screenshot(page, 'broadcasts-en');
  });

  it('a feature the platform has not allowed says so when turned on; a simple config is a form', async () => {
    const page = await open('features');
    const zarinpal = page.getByTestId('feature-zarinpal');
    await zarinpal.getByText('Not allowed by the platform').waitFor();
    await zarinpal.getByRole('switch', { name: 'Enabled' }).click({ force: true });
    await zarinpal.getByRole('alert').getByText('The platform has not allowed this feature').waitFor();

    const tickets = page.getByTestId('feature-support_tickets');
    await tickets.getByLabel('Messages per minute per customer').fill('7');
    await tickets.getByRole('button', { name: 'Save settings' }).click();
    await tickets.getByRole('status').waitFor();
    const features = (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/features`).expect(200)).body;
    expect(features.find((f: { key: string }) => f.key === 'support_tickets').config).toEqual({ messagesPerMinute: 7 });
    expect(features.find((f: { key: string }) => f.key === 'zarinpal').enabled).toBe(false);
    await screenshot(page, 'features-en');
  });

  it('a ticket opened in the bot is answered and closed from its thread; the customer gets both', async () => {
    const features = await open('features');
    await features
      .getByTestId('feature-support_tickets')
      .getByRole('switch', { name: 'Enabled' })
      .click({ force: true });
    await features.getByTestId('feature-support_tickets').getByText('On', { exact: true }).waitFor();

    const sara = new BotChat(emu, tg, { id: 881_700, first_name: 'Sara', language_code: 'en' });
    const home = await sara.send('/support', withButton('tk:o'), 20_000);
    sara.press(home, 'tk:o');
    await sara.message(has('Send a short subject'));
    sara.say('Slow at night');
    await sara.message(has('describe the problem'));
    sara.say('Every evening the speed drops.');
    await sara.message(has('Ticket #1 is open'));

    const page = await open('tickets');
    await page.getByRole('link', { name: 'Slow at night' }).click();
    await page.getByTestId('ticket-message').getByText('Every evening the speed drops.').waitFor();
    const before = sara.lastId();
    await page.getByLabel('Your answer').fill('Please try the Frankfurt server.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('ticket-message').getByText('Please try the Frankfurt server.').waitFor();
    const answer = await sara.next(before, has('Support answered your ticket #1'));
    expect(textOf(answer)).toContain('Please try the Frankfurt server.');
    await screenshot(page, 'ticket-en');

    await page.getByRole('button', { name: 'Close ticket' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Close ticket' }).click();
    await page.getByText('Closed', { exact: true }).first().waitFor();
    await sara.next(answer.messageId, has('Support closed your ticket #1'));
    const list = await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/tickets`).expect(200);
    expect(list.body.items.map((t: { status: string }) => t.status)).toEqual(['closed']);
  });

  it('settings work in English; every setup page opens in Persian on a phone, right-to-left and no wider than it', async () => {
    const settings = await open('settings');
    await settings.getByLabel('Support username').fill('setup_help');
    await settings.getByTestId('bot-save').click();
    await settings.getByRole('status').first().waitFor();
    const bot = (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}`).expect(200)).body;
    expect(bot.supportUsername).toBe('setup_help');
    await settings.getByTestId('config-receipt_ttl_minutes').waitFor();
    await screenshot(settings, 'settings-en');

    // The shop has an order (the earlier purchase): its currency is fixed, and the page says so on the field.
    const currency = settings.getByLabel('Currency');
    await currency.fill('USD');
    await settings.getByTestId('bot-save').click();
    await expectFieldError(currency, /cannot change any more/);
    expect((await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}`).expect(200)).body.currency).toBe('IRR');

    const modal = await open('plans', { lang: 'fa', phone: true });
    await modal.getByTestId('plan-create').click();
    await modal.getByRole('dialog').getByLabel('نام (fa)').waitFor();
    await screenshot(modal, 'plan-form-phone-fa');

    for (const [path, name] of [
      ['promo-codes', 'promo-codes'],
      ['tickets', 'tickets'],
      ['texts', 'texts'],
      ['features', 'features'],
      ['settings', 'settings'],
      ['cards', 'cards'],
    ] as const) {
      const fa = await open(path, { lang: 'fa', phone: true });
      await fa.getByRole('heading', { level: 2 }).waitFor();
      expect(await fa.evaluate(() => document.documentElement.dir)).toBe('rtl');
      // Nothing wider than the phone: tables scroll inside their own container.
      expect(await fa.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(fa, `${name}-phone-fa`);
    }
  });

  it('an admin added in Settings signs in from the bot and sees only what the admin role may change', async () => {
    const settings = await open('settings');
    await settings.getByRole('button', { name: 'Add admin' }).click();
    await settings.getByLabel('Telegram id').last().fill('881900');
    await settings.getByRole('button', { name: 'Save' }).last().click();
    await settings.getByText('Saved').last().waitFor();
    const admins = (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/admins`).expect(200)).body;
    expect(admins.admins).toEqual([
      { telegramId: 881_001, role: 'owner' },
      { telegramId: 881_900, role: 'admin' },
    ]);

    // The new admin asks the bot for a console link and opens it.
    const chat = new BotChat(emu, tg, { id: 881_900, first_name: 'Staff', language_code: 'en' }, { timeoutMs: 20_000 });
    const menu = await chat.send('/admin', withButton('wc:o'));
    const before = chat.lastId();
    await chat.tap(menu, 'wc:o');
    const linkOf = (m: ChatMessage) =>
      (buttonsOf(m) as { url?: string }[]).find((b) => b.url?.startsWith(`${PUBLIC}/console/login#code=`))?.url;
    const link = linkOf(await chat.next(before, (m) => !!linkOf(m)))!.replace(PUBLIC, origin);
    const page = await shop.newPage({ label: 'console link' });
    await page.addInitScript(() => localStorage.setItem('bf.lang', 'en'));
    await page.goto(link);
    await page.waitForURL((url) => !url.pathname.endsWith('/login'));

    // Plans and texts are the admin's; the menu, the features and the settings are the owner's.
    await page.goto(`${origin}/console/bots/${tenant.id}/plans`);
    await page.getByTestId('plan-create').waitFor();
    await page.goto(`${origin}/console/bots/${tenant.id}/texts`);
    await page.getByTestId('save-welcome_text').waitFor();
    const menuCard = page.getByTestId('config-main_menu_buttons');
    await menuCard.getByText('Only the owner changes the menu.').waitFor();
    expect(await menuCard.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Features' }).count()).toBe(0);
    await page.goto(`${origin}/console/bots/${tenant.id}/settings`);
    await page.getByText('Your role may not open this page.').waitFor();
  });
});

/** The input is marked invalid and its error (matching `text`, when given) is shown under it. */
async function expectFieldError(input: ReturnType<Page['getByLabel']>, text?: RegExp): Promise<void> {
  await expect_(input).toHaveAttribute('aria-invalid', 'true');
  if (text) {
    const describedBy = await input.getAttribute('aria-describedby');
    const ids = (describedBy ?? '').split(/\s+/).filter(Boolean);
    const messages = await Promise.all(
      ids.map((id) =>
        input
          .page()
          .locator(`[id="${id}"]`)
          .innerText()
          .catch(() => ''),
      ),
    );
    expect(messages.join(' ')).toMatch(text);
  }
}

/** Polls a locator until it has the value or attribute (Playwright's own `expect` is not in playwright-core). */
function expect_(locator: ReturnType<Page['getByLabel']>) {
  const poll = async (read: () => Promise<string | null>, want: string, what: string) => {
    const until = Date.now() + 10_000;
    let got: string | null = null;
    while (Date.now() < until) {
      got = await read().catch(() => null);
      if (got === want) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  };
  return {
    toHaveValue: (want: string) => poll(() => locator.inputValue(), want, 'value'),
    toHaveAttribute: (name: string, want: string) => poll(() => locator.getAttribute(name), want, name),
  };
}
