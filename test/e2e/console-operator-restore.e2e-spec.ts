import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiHarness, RegisteredBot } from './support/api-harness';
import { launchBrowser, listen, newContext, screenshot, signInWithToken } from './support/browser';

const CONSOLE_BUILD = join(__dirname, '../../dist/console/index.html');

/**
 * Restoring a deleted tenant in a real browser against the real API: the owner deleted the bot (DELETE
 * /v1/bots/{id} with its token); the operator filters the tenants list by "deleted", presses Restore on its row,
 * confirms, and lands on the tenant's page with the bot paused. A deleted tenant whose Telegram bot was registered
 * again since cannot come back: the dialog names the newer tenant and nothing changes.
 */
describe('web console: the operator restores a deleted tenant', () => {
  jest.setTimeout(180_000);
  let h: ApiHarness;
  let origin: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function operatorPage(): Promise<Page> {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await signInWithToken(page, origin, h.master, 'en');
    return page;
  }

  const deleteByOwner = async (bot: RegisteredBot) => {
    await h.as(bot.apiToken, 'delete', `/v1/bots/${bot.id}`).set('X-Forwarded-For', h.nextIp()).expect(204);
  };
  const statusOf = async (botId: string) => {
    const res = await h.as(h.master, 'get', `/v1/bots/${botId}`).set('X-Forwarded-For', h.nextIp());
    return res.status === 404 ? 'gone' : (res.body as { status: string }).status;
  };

  beforeAll(async () => {
    if (!existsSync(CONSOLE_BUILD)) throw new Error('dist/console is missing: run `npm run build` first');
    h = await ApiHarness.start();
    origin = await listen(h.app);
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await h?.stop();
  });

  it('finds the deleted tenant under the "deleted" filter, restores it after a confirmation, and opens it paused', async () => {
    const shop = await h.registerBot({ name: 'Lost Shop' });
    await deleteByOwner(shop);
    expect(await statusOf(shop.id)).toBe('gone');

    const page = await operatorPage();
    await page.goto(`${origin}/console/operator/tenants?status=deleted`);
    const row = page.locator(`[data-tenant="${shop.id}"]`);
    await row.locator('[data-status="deleted"]').waitFor();
    await row.locator(`[data-restore="${shop.id}"]`).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Restore Lost Shop?').waitFor();
    // Cancelling changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await statusOf(shop.id)).toBe('gone');

    await row.locator(`[data-restore="${shop.id}"]`).click();
    await screenshot(page, 'operator-restore-confirm-en');
    await dialog.locator('[data-confirm]').click();
    await page.waitForURL(new RegExp(`/console/operator/tenants/${shop.id}$`));
    await page.locator('main [data-status="paused"]').waitFor();
    expect(await statusOf(shop.id)).toBe('paused');
  });

  it('names the newer tenant that holds the same Telegram bot, and restores nothing', async () => {
    const old = await h.registerBot({ name: 'Gone Shop' });
    await deleteByOwner(old);
    const again = await h
      .as(h.master, 'post', '/v1/bots')
      .set('X-Forwarded-For', h.nextIp())
      .send({ name: 'Newer Shop', telegramBotToken: old.telegramToken, ownerTelegramId: old.ownerTelegramId })
      .expect(201);
    const newer = again.body.bot as { id: string };

    const page = await operatorPage();
    await page.goto(`${origin}/console/operator/tenants?status=deleted`);
    await page.locator(`[data-restore="${old.id}"]`).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('[data-confirm]').click();
    const taken = dialog.locator(`[data-taken-by="${newer.id}"]`);
    await taken.waitFor();
    expect(await taken.textContent()).toContain('Newer Shop');
    expect(await dialog.locator('[data-confirm]').isDisabled()).toBe(true);
    await screenshot(page, 'operator-restore-taken-en');
    expect(await statusOf(old.id)).toBe('gone');
    expect(await statusOf(newer.id)).toBe('active');
  });
});
