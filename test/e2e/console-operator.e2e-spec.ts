import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { ApiHarness, RegisteredBot } from './support/api-harness';
import { launchBrowser, listen, newContext, screenshot, signInWithToken } from './support/browser';

const CONSOLE_BUILD = join(__dirname, '../../dist/console/index.html');
const TOP_UPS = /\/v1\/admin\/bots\/[^/]+\/wallet\/top-ups$/;
const ADJUSTMENTS = /\/v1\/admin\/bots\/[^/]+\/wallet\/adjustments$/;

/**
 * The operator's pages in a real browser against the real API: the master signs in with the master token, finds a
 * tenant, suspends and resumes it, tops up its wallet (a double click and a retried dialog credit it once), makes
 * an invite and a panel, and reads the platform stats; a tenant's session cannot reach any of it.
 */
describe('web console: the operator pages', () => {
  jest.setTimeout(180_000);
  let h: ApiHarness;
  let origin: string;
  let browser: Browser;
  let alpha: RegisteredBot;
  let beta: RegisteredBot;
  const contexts: BrowserContext[] = [];

  async function operatorPage(lang: 'en' | 'fa' = 'en', phone = false): Promise<Page> {
    const context = await newContext(browser, { phone });
    contexts.push(context);
    const page = await context.newPage();
    await signInWithToken(page, origin, h.master, lang);
    return page;
  }

  const status = async (botId: string) =>
    (await h.as(h.master, 'get', `/v1/bots/${botId}`).expect(200)).body.status as string;
  const wallet = async (botId: string) => (await h.as(h.master, 'get', `/v1/bots/${botId}/wallet`).expect(200)).body;
  const topUpEntries = async (botId: string) =>
    (await h.as(h.master, 'get', `/v1/bots/${botId}/wallet/ledger?pageSize=100`).expect(200)).body.items.filter(
      (e: { type: string }) => e.type === 'top_up',
    );

  beforeAll(async () => {
    if (!existsSync(CONSOLE_BUILD)) throw new Error('dist/console is missing: run `npm run build` first');
    h = await ApiHarness.start();
    origin = await listen(h.app);
    alpha = await h.registerBot({ name: 'Operator Alpha Shop' });
    beta = await h.registerBot({ name: 'Operator Beta Shop' });
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await h?.stop();
  });

  it('finds a tenant by search, suspends it and resumes it', async () => {
    const page = await operatorPage();
    await page.waitForURL(/\/console\/operator\/tenants/);
    await page.locator(`[data-tenant="${beta.id}"]`).waitFor();

    await page.getByRole('searchbox').fill('Alpha');
    await page.locator(`[data-tenant="${beta.id}"]`).waitFor({ state: 'detached' });
    const row = page.locator(`[data-tenant="${alpha.id}"]`);
    await row.waitFor();
    expect(await page.locator('[data-tenant]').count()).toBe(1);
    expect(page.url()).toContain('q=Alpha');
    await screenshot(page, 'operator-tenants-en');

    await row.click();
    await page.waitForURL(new RegExp(`/console/operator/tenants/${alpha.id}$`));
    await page.locator('main [data-status="active"]').waitFor();
    const shopLink = page.getByRole('link', { name: 'Open this shop' });
    expect(await shopLink.getAttribute('href')).toBe(`/console/bots/${alpha.id}/dashboard`);

    await page.getByRole('button', { name: 'Suspend' }).click();
    await page.getByRole('dialog').getByText('Suspend Operator Alpha Shop?').waitFor();
    await page.getByRole('dialog').getByLabel('Reason').fill('Unpaid invoice');
    await page.getByRole('dialog').locator('[data-confirm]').click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.locator('main [data-status="suspended"]').waitFor();
    expect(await status(alpha.id)).toBe('suspended');
    const audit = await h.as(h.master, 'get', `/v1/bots/${alpha.id}/audit-log`).expect(200);
    expect(audit.body.items.find((e: { action: string }) => e.action === 'bot.suspended')).toMatchObject({
      after: { status: 'suspended', reason: 'Unpaid invoice' },
    });
    // The tenant's own token now gets 403 on writes.
    await h.as(alpha.apiToken, 'patch', `/v1/bots/${alpha.id}`).send({ name: 'Renamed' }).expect(403);

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('dialog').getByText('Resume Operator Alpha Shop?').waitFor();
    await page.getByRole('dialog').locator('[data-confirm]').click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.locator('main [data-status="active"]').waitFor();
    expect(await status(alpha.id)).toBe('active');

    // Back in the list, the same search is still there.
    await page.getByRole('link', { name: '← Tenants' }).click();
    await page.waitForURL(/\/operator\/tenants\?q=Alpha/);
  });

  it('tops up a wallet once for a double click and once for a retried dialog after a lost answer', async () => {
    const page = await operatorPage();
    const sent: Request[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && TOP_UPS.test(r.url())) sent.push(r);
    });
    await page.goto(`${origin}/console/operator/tenants/${alpha.id}`);
    await page.locator('[data-wallet="balance"]').waitFor();

    // A double click: the dialog sends one key however often Confirm is pressed.
    await page.getByRole('button', { name: 'Top up' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Amount (IRR)').fill('1500');
    await dialog.getByLabel('Note').fill('bank transfer');
    await dialog.locator('[data-confirm]').evaluate((b) => {
      (b as unknown as { click(): void }).click();
      (b as unknown as { click(): void }).click();
    });
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-wallet="balance"]', { hasText: '1,500' }).waitFor();
    // Both clicks reach the API (the button turns busy only after a render): the shared key keeps it one top-up.
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map((r) => r.headers()['idempotency-key'])).size).toBe(1);
    expect((await wallet(alpha.id)).balanceMinor).toBe(1500);
    expect(await topUpEntries(alpha.id)).toHaveLength(1);

    // A retry: the API credits the first attempt but the answer never reaches the page; Retry in the same
    // dialog sends the same key, and the API answers with the first entry instead of crediting again.
    sent.length = 0;
    let dropped = 0;
    await page.route(TOP_UPS, async (route) => {
      if (dropped++ === 0) {
        await route.fetch();
        await route.abort('connectionreset');
      } else await route.continue();
    });
    await page.getByRole('button', { name: 'Top up' }).click();
    await dialog.getByLabel('Amount (IRR)').fill('700');
    await dialog.locator('[data-confirm]').click();
    await dialog.getByRole('alert').waitFor();
    expect((await wallet(alpha.id)).balanceMinor).toBe(2200);
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.unroute(TOP_UPS);
    await page.locator('[data-wallet="balance"]', { hasText: '2,200' }).waitFor();
    expect(sent).toHaveLength(2);
    expect(sent[0].headers()['idempotency-key']).toBe(sent[1].headers()['idempotency-key']);
    expect((await wallet(alpha.id)).balanceMinor).toBe(2200);
    expect(await topUpEntries(alpha.id)).toHaveLength(2);

    // A new dialog is a new top-up.
    await page.getByRole('button', { name: 'Top up' }).click();
    await dialog.getByLabel('Amount (IRR)').fill('300');
    await dialog.locator('[data-confirm]').click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-wallet="balance"]', { hasText: '2,500' }).waitFor();
    expect(await topUpEntries(alpha.id)).toHaveLength(3);

    // At a phone's width the page still fits: the tables scroll inside their cards.
    const phone = await operatorPage('en', true);
    await phone.goto(`${origin}/console/operator/tenants/${alpha.id}`);
    await phone.locator('[data-entry="top_up"]').first().waitFor();
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(phone, 'operator-tenant-phone-en');
  });

  it('adjusts a wallet after a confirmation showing the balance after; a debit past the free balance cannot be confirmed', async () => {
    const adjustments = async () =>
      (await h.as(h.master, 'get', `/v1/bots/${beta.id}/wallet/ledger?pageSize=100`).expect(200)).body.items.filter(
        (e: { type: string }) => e.type === 'adjustment',
      );
    // The mistyped top-up: 2,500,000 instead of 250,000.
    await h
      .as(h.master, 'post', `/v1/admin/bots/${beta.id}/wallet/top-ups`)
      .set('Idempotency-Key', 'e2e-mistyped')
      .send({ amountMinor: 2_500_000, note: 'bank transfer' })
      .expect(201);
    const page = await operatorPage();
    const sent: Request[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && ADJUSTMENTS.test(r.url())) sent.push(r);
    });
    await page.goto(`${origin}/console/operator/tenants/${beta.id}`);
    await page.locator('[data-wallet="balance"]', { hasText: '2,500,000' }).waitFor();

    // More than the free balance: the confirmation says so and cannot be confirmed; nothing is sent.
    await page.getByRole('button', { name: 'Adjust' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Amount (IRR)').fill('-2600000');
    await dialog.getByLabel('Note').fill('ab');
    expect(await dialog.locator('[data-review]').isDisabled()).toBe(true); // a note needs 3 characters
    await dialog.getByLabel('Note').fill('Mistyped top-up: 2,500,000 instead of 250,000');
    await dialog.locator('[data-review]').click();
    await dialog.locator('[data-overdraw]').waitFor();
    expect(await dialog.locator('[data-after="available"]').textContent()).toContain('100,000');
    expect(await dialog.locator('[data-confirm]').isDisabled()).toBe(true);

    // Back to the form, the right amount: the confirmation shows the balance after; a double click adjusts once.
    await dialog.getByRole('button', { name: 'Back' }).click();
    await dialog.getByLabel('Amount (IRR)').fill('-2250000');
    await dialog.locator('[data-review]').click();
    await dialog.getByText('2,250,000 will be taken from the wallet.').waitFor();
    expect(await dialog.locator('[data-after="balance"]').textContent()).toContain('250,000');
    await screenshot(page, 'operator-adjust-confirm-en');
    await dialog.locator('[data-confirm]').evaluate((b) => {
      (b as unknown as { click(): void }).click();
      (b as unknown as { click(): void }).click();
    });
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-wallet="balance"]', { hasText: '250,000' }).waitFor();
    await page.locator('[data-entry="adjustment"]').waitFor();
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(new Set(sent.map((r) => r.headers()['idempotency-key'])).size).toBe(1);
    expect((await wallet(beta.id)).balanceMinor).toBe(250_000);
    expect(await adjustments()).toEqual([
      expect.objectContaining({ amountMinor: -2_250_000, note: 'Mistyped top-up: 2,500,000 instead of 250,000' }),
    ]);
  });

  it("sets a tenant's wholesale price and allowances, and shows the page right-to-left in Persian", async () => {
    const page = await operatorPage('fa');
    await page.goto(`${origin}/console/operator/tenants/${beta.id}`);
    await page.locator('[data-feature="card_to_card"]').waitFor();
    expect(await page.evaluate<string>('document.documentElement.dir')).toBe('rtl');

    await page.getByLabel('هر پلن فروخته‌شده').fill('50000');
    await page.getByRole('button', { name: 'ذخیره' }).click();
    await page.getByText('ذخیره شد').waitFor();
    const price = (await h.as(h.master, 'get', `/v1/admin/bots/${beta.id}/wholesale-price`).expect(200)).body;
    expect(price.perPlanMinor).toBe(50000);

    const allow = page.locator('[data-feature="card_to_card"]').getByRole('switch');
    expect(await allow.isChecked()).toBe(true);
    await allow.click({ force: true });
    await page.locator('[data-feature="card_to_card"] [role="switch"]:not(:checked)').waitFor({ state: 'attached' });
    const features = (await h.as(h.master, 'get', `/v1/bots/${beta.id}/features`).expect(200)).body;
    expect(features.find((f: { key: string }) => f.key === 'card_to_card')).toMatchObject({ allowed: false });
    await screenshot(page, 'operator-tenant-fa');

    // The master may open every shop's own pages.
    await page.getByRole('link', { name: 'باز کردن این فروشگاه' }).click();
    await page.waitForURL(new RegExp(`/console/bots/${beta.id}/dashboard`));
  });

  it('creates an invite and shows its code once, ready to copy', async () => {
    const page = await operatorPage();
    await page.goto(`${origin}/console/operator/invites`);
    await page.getByRole('button', { name: 'New invite' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Note').fill('For the Tabriz reseller');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const code = (await dialog.locator('[data-invite-code]').textContent())?.trim();
    expect(code).toBeTruthy();
    await dialog.getByRole('button', { name: 'Copy' }).waitFor();
    await screenshot(page, 'operator-invite-created-en');

    const invites = (await h.as(h.master, 'get', '/v1/admin/invites?state=active').expect(200)).body.items;
    expect(invites.find((i: { code: string }) => i.code === code)).toMatchObject({
      note: 'For the Tabriz reseller',
      state: 'active',
    });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('cell', { name: 'For the Tabriz reseller' }).waitFor();
    // The list does not show codes again.
    expect(await page.getByText(code!).count()).toBe(0);
    await screenshot(page, 'operator-invites-en');
  });

  it('adds a panel with write-only credentials and shows its capacity', async () => {
    const page = await operatorPage();
    await page.goto(`${origin}/console/operator/panels`);
    await page.getByRole('button', { name: 'New panel' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Frankfurt 1');
    await dialog.getByLabel('Base URL').fill('https://fra1.panel.test');
    await dialog.getByLabel('API key').fill('rw-secret-key-123');
    await dialog.getByLabel('Location').fill('DE');
    await dialog.getByLabel('Capacity').fill('500');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const card = page.locator('[data-panel]', { hasText: 'Frankfurt 1' });
    await card.locator('[data-capacity]', { hasText: '0 / 500' }).waitFor();

    const panels = (await h.as(h.master, 'get', '/v1/admin/panels').expect(200)).body;
    expect(panels).toEqual([expect.objectContaining({ name: 'Frankfurt 1', hasCredentials: true, capacity: 500 })]);
    expect(JSON.stringify(panels)).not.toContain('rw-secret-key-123');

    // Editing shows no credentials back; leaving them empty keeps them.
    await card.getByRole('button', { name: 'Edit' }).click();
    expect(await dialog.getByLabel('API key').inputValue()).toBe('');
    await screenshot(page, 'operator-panel-edit-en');
    await dialog.getByLabel('Capacity').fill('800');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await card.locator('[data-capacity]', { hasText: '0 / 800' }).waitFor();
    expect((await h.as(h.master, 'get', '/v1/admin/panels').expect(200)).body[0]).toMatchObject({
      capacity: 800,
      hasCredentials: true,
    });

    const phone = await operatorPage('en', true);
    await phone.goto(`${origin}/console/operator/panels`);
    await phone.locator('[data-capacity]').first().waitFor();
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(phone, 'operator-panels-phone-en');
  });

  it('shows the platform stats with charts and a link to the queue dashboard', async () => {
    const page = await operatorPage();
    await page.goto(`${origin}/console/operator/stats`);
    await page.locator('[data-chart="status"] .recharts-sector').first().waitFor();
    await page.locator('[data-chart="wallets"] .recharts-bar-rectangle').first().waitFor();
    expect(await page.locator('[data-total="Tenants"]').textContent()).toBe('2');
    const queues = page.locator('[data-queues-link]');
    expect(await queues.getAttribute('href')).toBe('/admin/queues');
    expect(await queues.getAttribute('target')).toBe('_blank');
    await screenshot(page, 'operator-stats-en');

    const phone = await operatorPage('fa', true);
    await phone.goto(`${origin}/console/operator/stats`);
    await phone.locator('[data-chart="status"] .recharts-sector').first().waitFor();
    await screenshot(phone, 'operator-stats-phone-fa');
    await phone.goto(`${origin}/console/operator/tenants`);
    await phone.locator(`[data-tenant="${alpha.id}"]`).waitFor();
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(phone, 'operator-tenants-phone-fa');
  });

  it("a tenant's session cannot open the operator pages, and the operator API refuses its cookie", async () => {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await signInWithToken(page, origin, alpha.apiToken);
    await page.waitForURL(new RegExp(`/console/bots/${alpha.id}`));
    expect(await page.getByRole('link', { name: 'Tenants' }).count()).toBe(0);

    await page.goto(`${origin}/console/operator/tenants/${beta.id}`);
    await page.waitForURL(new RegExp(`/console/bots/${alpha.id}`));
    expect(page.url()).not.toContain('/operator');
    expect(await page.getByText('Operator Beta Shop').count()).toBe(0);

    // The page's own cookie against the API: refused, for reading and for writing.
    const csrf = await page.evaluate<string | null>("localStorage.getItem('bf.csrf')");
    expect(csrf).toBeTruthy();
    const list = await page.request.get(`${origin}/v1/admin/bots`);
    expect([403, 404]).toContain(list.status());
    const suspend = await page.request.post(`${origin}/v1/admin/bots/${beta.id}/suspend`, {
      headers: { 'X-CSRF-Token': csrf! },
    });
    expect([403, 404]).toContain(suspend.status());
    const topUp = await page.request.post(`${origin}/v1/admin/bots/${alpha.id}/wallet/top-ups`, {
      headers: { 'X-CSRF-Token': csrf!, 'Idempotency-Key': 'tenant-try-1' },
      data: { amountMinor: 1_000_000 },
    });
    expect([403, 404]).toContain(topUp.status());
    expect(await status(beta.id)).toBe('active');
    expect((await wallet(alpha.id)).balanceMinor).toBe(2500);
  });
});
