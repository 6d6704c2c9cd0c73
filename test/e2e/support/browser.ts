import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs the package when missing); Playwright never downloads a browser here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of the console's pages, kept as test artifacts (not committed). */
export const ARTIFACTS = join(__dirname, '../../../test-artifacts/console');

/**
 * Headless Chromium as the machine allows it: no sandbox (tests run as root), and none of Chromium's own
 * background traffic, which this closed network refuses.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** The API listening on a free port of 127.0.0.1, for a browser to reach; returns its origin. */
export async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

/** A desktop or a phone-sized browser window. */
export async function newContext(browser: Browser, opts: { phone?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext(
    opts.phone
      ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
      : { viewport: { width: 1366, height: 900 } },
  );
}

/** Signs the page in by pasting an API token on the sign-in page (a tenant's bft_… or the master token). */
export async function signInWithToken(page: Page, origin: string, token: string, lang: 'en' | 'fa' | 'ru' = 'en') {
  await page.addInitScript((l) => localStorage.setItem('bf.lang', l), lang);
  await page.goto(`${origin}/console/login`);
  await page
    .getByLabel(/API|توکن|токен/i)
    .first()
    .fill(token);
  await page.locator('form button[type=submit]').click();
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
}

/** Saves a full-page screenshot under test-artifacts/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
