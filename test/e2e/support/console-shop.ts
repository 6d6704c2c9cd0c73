import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestEnv, spawnWorker, TelegramEmulator, TestEnv, WorkerProcess } from '@botfleet/testing';
import { QUICK_BOT_LEASES } from './bot-chat';
import { launchBrowser, listen, newContext, signInWithToken } from './browser';
import { HostedTenant, PublicApi } from './public-api';

export interface ConsoleShopOptions {
  /** The Telegram bot's username in the emulator. */
  username: string;
  /** The shop's name as registered. */
  name: string;
  ownerTelegramId: number;
  /** More settings for the apps (e.g. PUBLIC_BASE_URL). */
  env?: Record<string, string>;
}

/**
 * One shop run for real behind the console, for a browser suite: the Telegram emulator, the API served over HTTP,
 * a spawned worker polling the shop's bot, and Debian's Chromium. Registers the suite's beforeAll / afterAll and
 * an afterEach that fails a test whose pages threw (a page that throws fails even if what it showed looked right).
 * Read its fields inside tests and hooks (they are set in beforeAll); `open(path)` signs in with the shop's API
 * token and opens the console page `/console/bots/<id>/<path>`.
 */
export function consoleShop(opts: ConsoleShopOptions) {
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const shop = {
    emu: new TelegramEmulator(),
    env: undefined as unknown as TestEnv,
    api: undefined as unknown as PublicApi,
    worker: undefined as WorkerProcess | undefined,
    browser: undefined as unknown as Browser,
    origin: '',
    tenant: undefined as unknown as HostedTenant,
    tg: undefined as unknown as ReturnType<TelegramEmulator['createBot']>,
    /** A page in a fresh browser context (closed after the suite; its uncaught errors fail the test). */
    async newPage(o: { phone?: boolean; label?: string } = {}): Promise<Page> {
      const context = await newContext(shop.browser, { phone: o.phone });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(`${o.label ?? 'page'}: ${e.message}`));
      return page;
    },
    async open(path: string, o: { lang?: 'en' | 'fa'; phone?: boolean } = {}): Promise<Page> {
      const page = await shop.newPage({ phone: o.phone, label: path });
      await signInWithToken(page, shop.origin, shop.tenant.apiToken, o.lang ?? 'en');
      await page.goto(`${shop.origin}/console/bots/${shop.tenant.id}/${path}`);
      return page;
    },
    async stopWorker(): Promise<void> {
      await shop.worker?.stop();
      shop.worker = undefined;
    },
    async startWorker(): Promise<void> {
      shop.worker = await spawnWorker(shop.env.vars);
    },
  };

  beforeAll(async () => {
    const emuUrl = await shop.emu.listen(0);
    shop.env = await createTestEnv({ TELEGRAM_API_ROOT: emuUrl, ...QUICK_BOT_LEASES, ...opts.env });
    shop.api = await PublicApi.start(shop.env);
    shop.origin = await listen(shop.api.app);
    shop.tg = shop.emu.createBot({ username: opts.username });
    shop.tenant = await shop.api.registerBot(shop.tg, { name: opts.name, ownerTelegramId: opts.ownerTelegramId });
    await shop.startWorker();
    await shop.emu.waitForPolling(shop.tg.id, 30_000);
    shop.browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await shop.browser?.close();
    await shop.worker?.stop();
    await shop.api?.close();
    await shop.emu.close();
    await shop.env?.cleanup();
  });

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  return shop;
}
