import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiHarness, RegisteredBot } from './support/api-harness';
import { launchBrowser, listen, newContext, screenshot, signInWithToken } from './support/browser';

const CONSOLE_BUILD = join(__dirname, '../../dist/console/index.html');

/**
 * The operator's audit log in a real browser against the real API: the operator suspends a tenant and adds a panel
 * with an API key in the console, opens "Audit log" from the menu and finds both, newest first, with who did them
 * and the tenant; the details show the change field by field and never the key; the filters narrow the list; in
 * Persian the dates are Solar Hijri.
 */
describe("web console: the operator's audit log", () => {
  jest.setTimeout(180_000);
  let h: ApiHarness;
  let origin: string;
  let browser: Browser;
  let shop: RegisteredBot;
  const contexts: BrowserContext[] = [];

  async function operatorPage(lang: 'en' | 'fa' = 'en'): Promise<Page> {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await signInWithToken(page, origin, h.master, lang);
    return page;
  }

  beforeAll(async () => {
    if (!existsSync(CONSOLE_BUILD)) throw new Error('dist/console is missing: run `npm run build` first');
    h = await ApiHarness.start();
    origin = await listen(h.app);
    shop = await h.registerBot({ name: 'Audit Trail Shop' });
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await h?.stop();
  });

  it('lists what the operator just did, newest first, with the change and without the credentials', async () => {
    const page = await operatorPage();
    await page.goto(`${origin}/console/operator/tenants/${shop.id}`);
    await page.locator('main [data-status="active"]').waitFor();
    await page.getByRole('button', { name: 'Suspend' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Audit trail check');
    await dialog.locator('[data-confirm]').click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('main [data-status="suspended"]').waitFor();

    await page.goto(`${origin}/console/operator/panels`);
    await page.getByRole('button', { name: 'New panel' }).click();
    await dialog.getByLabel('Name').fill('Audit panel');
    await dialog.getByLabel('Base URL').fill('https://audit.panel.test');
    await dialog.getByLabel('API key').fill('rw-audit-secret-key-42');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    // From the operator's menu.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(/\/console\/operator\/audit-log/);
    const rows = page.getByTestId('audit-row');
    await rows.first().waitFor();
    expect(await rows.nth(0).locator('[data-action]').getAttribute('data-action')).toBe('panel.created');
    expect(await rows.nth(0).textContent()).toContain('Panel added');
    const suspended = rows.nth(1);
    expect(await suspended.locator('[data-action]').getAttribute('data-action')).toBe('bot.suspended');
    expect(await suspended.textContent()).toContain('Tenant suspended');
    expect(await suspended.textContent()).toContain('Audit Trail Shop');
    expect(await suspended.locator('[data-actor]').getAttribute('data-actor')).toBe('master:master');
    expect(await suspended.textContent()).toContain('Master token');
    await screenshot(page, 'operator-audit-log-en');

    // The change, field by field.
    await suspended.getByRole('button', { name: 'Details' }).click();
    const diff = dialog.getByTestId('audit-diff');
    await diff.waitFor();
    expect(await diff.getByRole('row', { name: /status/ }).textContent()).toMatch(/active.*suspended/);
    expect(await diff.getByRole('row', { name: /reason/ }).textContent()).toContain('Audit trail check');
    await screenshot(page, 'operator-audit-details-en');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await rows.nth(0).getByRole('button', { name: 'Details' }).click();
    await diff.waitFor();
    expect(await diff.textContent()).toContain('https://audit.panel.test');
    expect(await page.content()).not.toContain('rw-audit-secret-key-42');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // Only suspensions, then only this tenant.
    await page.getByTestId('audit-action').click();
    await page.getByRole('option', { name: 'Tenant suspended' }).click();
    await page.waitForURL(/action=bot\.suspended/);
    await page.locator('[data-action="panel.created"]').waitFor({ state: 'detached' });
    expect(await rows.count()).toBe(1);
    await rows.first().getByRole('button', { name: 'only this' }).click();
    await page.waitForURL(new RegExp(`botId=${shop.id}`));
    await page.getByText('Only Audit Trail Shop').waitFor();
    expect(await rows.count()).toBe(1);
    await page.getByTestId('audit-action').click();
    await page.getByRole('option', { name: 'Invite made' }).click();
    await page.getByText('Nothing recorded for these filters.').waitFor();
  });

  it('shows the dates in the Solar Hijri calendar in Persian', async () => {
    const page = await operatorPage('fa');
    await page.goto(`${origin}/console/operator/audit-log`);
    const first = page.getByTestId('audit-row').first();
    await first.waitFor();
    expect(await page.evaluate<string>('document.documentElement.dir')).toBe('rtl');
    const when = (await first.locator('td').first().textContent()) ?? '';
    const solarYear = new Intl.DateTimeFormat('en-u-ca-persian', { year: 'numeric' }).format(new Date());
    const persianDigits = solarYear.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]).replace(/\D*$/, '');
    expect(when).toContain(persianDigits.replace(/[^۰-۹]/g, ''));
    expect(await first.textContent()).toContain('افزودن پنل');
    await screenshot(page, 'operator-audit-log-fa');
  });
});
