import type { Page } from 'playwright-core';
import { waitFor } from '@botfleet/testing';
import { screenshot } from './support/browser';
import { consoleShop } from './support/console-shop';

/** The console's public address as the bots write it into their links. */
const PUBLIC = 'https://console.botfleet.test';
/** The master bot, registered in the emulator before the worker starts (its token must be in the env first). */
const MASTER_TOKEN = `7390011001:AA${'m'.repeat(33)}`;
const OWNER = 882_001;

/**
 * A shop owner keeps their bot running from the browser, with no REST call (Debian's Chromium, the real API, a
 * spawned worker, the Telegram emulator): when Telegram revokes the bot's token the master bot sends the owner to
 * the console's Settings page, where the new token from @BotFather is pasted (a wrong one is refused on the field
 * and changes nothing) and the bot answers again; the shop's API token is rotated there, shown once, and the old
 * one is refused by the API from then on.
 */
describe('console: the bot token and the API token in Settings', () => {
  jest.setTimeout(180_000);
  const shop = consoleShop({
    username: 'console_tokens_bot',
    name: 'Tokens shop',
    ownerTelegramId: OWNER,
    env: { PUBLIC_BASE_URL: PUBLIC, MASTER_BOT_TOKEN: MASTER_TOKEN },
  });
  const master = shop.emu.createBot({ token: MASTER_TOKEN, username: 'tokens_master_bot' });

  const botStatus = async (token = shop.tenant.apiToken): Promise<string> =>
    (await shop.api.as(token, 'get', `/v1/bots/${shop.tenant.id}`).expect(200)).body.status;

  /** Every address the page asks for, to show that no secret is ever put in one. */
  function recordUrls(page: Page): string[] {
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    return urls;
  }

  it('a revoked token: the master bot links the owner to Settings, where a new token starts the bot again', async () => {
    shop.emu.revokeToken(shop.tg.id);
    await waitFor(async () => (await botStatus()) === 'token_invalid', 20_000, 200);

    // The bot itself cannot speak: the master bot tells the owner, with the console's Settings page to open.
    const settingsPath = `/console/bots/${shop.tenant.id}/settings`;
    const [notice] = await shop.emu.waitForMessages(master.id, OWNER, 1, 15_000);
    expect(notice.text).toContain('@console_tokens_bot');
    expect(notice.text).toContain(`${PUBLIC}${settingsPath}`);

    // The owner follows the link; not signed in here, the console asks first, then opens that very page.
    const page = await shop.newPage({ label: 'settings' });
    const urls = recordUrls(page);
    await page.addInitScript(() => localStorage.setItem('bf.lang', 'en'));
    await page.goto(`${shop.origin}${settingsPath}`);
    await page.waitForURL((u) => u.pathname.endsWith('/login'));
    await page.getByLabel(/API/i).first().fill(shop.tenant.apiToken);
    await page.locator('form button[type=submit]').click();
    await page.waitForURL((u) => u.pathname === settingsPath);
    const card = page.getByTestId('telegram-token-card');
    await card.getByTestId('token-invalid-alert').waitFor();
    const field = card.getByLabel('New token from @BotFather', { exact: true });

    // @BotFather's revoke: the same Telegram bot, a new token (the old one stays refused).
    shop.emu.deleteBot(shop.tg.id);
    const renewed = shop.emu.createBot({ token: `${shop.tg.id}:AA${'n'.repeat(33)}`, username: shop.tg.username });

    // A token Telegram does not know, then another bot's token: each refused on the field; the bot stays stopped.
    const other = shop.emu.createBot({ username: 'someone_elses_bot' });
    for (const [wrong, message] of [
      [`${shop.tg.id}:AA${'x'.repeat(33)}`, /Telegram did not accept this token/],
      [other.token, /belongs to another bot.*@console_tokens_bot/],
    ] as const) {
      await field.fill(wrong);
      await card.getByTestId('tg-token-save').click();
      await expectFieldError(field, message);
      expect(await botStatus()).toBe('token_invalid');
    }
    await screenshot(page, 'settings-token-refused');

    await field.fill(renewed.token);
    await card.getByTestId('tg-token-save').click();
    await card.getByText('Token accepted: the bot runs again.').waitFor();
    await card.getByTestId('token-invalid-alert').waitFor({ state: 'detached' });
    expect(await field.inputValue()).toBe('');
    expect(await botStatus()).toBe('active');
    // The token went only in the request's body: never in an address, never shown back.
    for (const secret of [renewed.token, other.token]) {
      expect(urls.filter((u) => u.includes(secret.split(':')[1]))).toEqual([]);
    }
    expect(await page.content()).not.toContain(renewed.token.split(':')[1]);

    // The bot answers its customers again, on the new token.
    await shop.emu.waitForPolling(renewed.id, 30_000);
    const customer = { id: 882_500, first_name: 'Buyer', language_code: 'en' };
    shop.emu.sendText(renewed.id, { from: customer, text: '/start' });
    await shop.emu.waitForMessages(renewed.id, customer.id, 1, 15_000);
  });

  it('a new API token is shown once after a confirmation; the old one is refused from then on', async () => {
    const fa = await shop.open('settings', { lang: 'fa' });
    await fa.getByText('توکن ربات تلگرام').waitFor();
    await fa.getByText('توکن API', { exact: true }).waitFor();
    expect(await fa.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await screenshot(fa, 'settings-tokens-fa');

    const old = shop.tenant.apiToken;
    const page = await shop.open('settings');
    const urls = recordUrls(page);
    const card = page.getByTestId('api-token-card');
    await card.getByTestId('api-token-prefix').waitFor();

    // Asked first; cancelling changes nothing.
    await card.getByRole('button', { name: 'Create a new API token' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('stops working at once').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await shop.api.as(old, 'get', `/v1/bots/${shop.tenant.id}`).expect(200);

    await card.getByRole('button', { name: 'Create a new API token' }).click();
    await dialog.getByRole('button', { name: 'Create a new API token' }).click();
    const shown = card.getByTestId('new-api-token');
    await shown.waitFor();
    const fresh = (await shown.innerText()).trim();
    expect(fresh).toMatch(/^bft_/);
    expect(fresh).not.toBe(old);
    await card.getByText('shown only this once').waitFor();
    await card.getByText('use the old token stopped working').waitFor();
    await card.getByRole('button', { name: 'Copy' }).waitFor();
    await screenshot(page, 'settings-api-token-shown');

    // The old token is dead on the API; the new one works.
    const refused = await shop.api.as(old, 'get', `/v1/bots/${shop.tenant.id}`).expect(401);
    expect(refused.body.error.code).toBe('UNAUTHORIZED');
    await shop.api.as(fresh, 'get', `/v1/bots/${shop.tenant.id}`).expect(200);
    shop.tenant.apiToken = fresh;

    // Nothing kept in the browser or put in an address; after a reload it is gone (this browser, signed in with
    // the old token, was signed in again with the new one).
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toContain(fresh.slice(4));
    expect(urls.filter((u) => u.includes(fresh.slice(4)))).toEqual([]);
    await page.reload();
    await card.getByTestId('api-token-prefix').waitFor();
    expect(page.url()).toContain('/settings');
    expect(await card.getByTestId('new-api-token').count()).toBe(0);
    expect(await page.content()).not.toContain(fresh.slice(4));
  });
});

/** The input is marked invalid and its error (matching `text`) is shown under it. */
async function expectFieldError(input: ReturnType<Page['getByLabel']>, text: RegExp): Promise<void> {
  await waitFor(async () => (await input.getAttribute('aria-invalid')) === 'true', 10_000, 100);
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const messages = await Promise.all(ids.map((id) => input.page().locator(`[id="${id}"]`).innerText()));
  expect(messages.join(' ')).toMatch(text);
}
