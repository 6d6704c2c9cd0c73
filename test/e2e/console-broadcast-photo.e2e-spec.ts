import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestEnv, spawnWorker, TelegramEmulator, TestEnv, WorkerProcess } from '@botfleet/testing';
import { BotChat, has, QUICK_BOT_LEASES, textOf } from './support/bot-chat';
import { launchBrowser, listen, newContext, screenshot, signInWithToken } from './support/browser';
import { HostedTenant, PublicApi } from './support/public-api';

const OWNER = 884_001;
/** A 2×2 PNG, the shop owner's picture. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFElEQVR4nGP4z8DAAMIM////ZwAAHu8E/KPItPcAAAAASUVORK5CYII=',
  'base64',
);

/**
 * A broadcast's photo picked from the shop owner's computer, in a real browser (Debian's Chromium) against the
 * real API, a spawned worker and the Telegram emulator: a picture too large or of the wrong type is refused beside
 * the field before anything is sent; a good one shows as a thumbnail, goes up with the draft, reaches the owner
 * with the preview, and the customers get the very same photo once it starts.
 */
describe('console: a broadcast photo from the computer', () => {
  jest.setTimeout(180_000);
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let api: PublicApi;
  let worker: WorkerProcess;
  let browser: Browser;
  let origin: string;
  let tenant: HostedTenant;
  let tg: ReturnType<TelegramEmulator['createBot']>;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const emuUrl = await emu.listen(0);
    env = await createTestEnv({ TELEGRAM_API_ROOT: emuUrl, ...QUICK_BOT_LEASES });
    api = await PublicApi.start(env);
    origin = await listen(api.app);
    tg = emu.createBot({ username: 'console_photo_bot' });
    tenant = await api.registerBot(tg, { name: 'Photo shop', ownerTelegramId: OWNER });
    worker = await spawnWorker(env.vars);
    await emu.waitForPolling(tg.id, 30_000);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await worker?.stop();
    await api?.close();
    await emu.close();
    await env?.cleanup();
  });

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  async function open(path: string): Promise<Page> {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${path}: ${e.message}`));
    await signInWithToken(page, origin, tenant.apiToken, 'en');
    await page.goto(`${origin}/console/bots/${tenant.id}/${path}`);
    return page;
  }

  it('pick a picture → thumbnail → saved draft previewed with it → started: customers get that photo', async () => {
    const customer = new BotChat(emu, tg, { id: 884_100, first_name: 'Emma', language_code: 'en' });
    await customer.send('/start');
    const owner = new BotChat(emu, tg, { id: OWNER, first_name: 'Owner', language_code: 'en' }, { timeoutMs: 30_000 });

    const page = await open('broadcasts');
    await page.getByTestId('broadcast-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Message').fill('<b>Autumn sale</b> with our own picture');
    const picker = dialog.getByTestId('broadcast-photo-file');

    // Refused in the page, nothing sent: a file that is not a picture, then one over 5 MB.
    await picker.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await dialog.getByText('Choose a JPEG, PNG or WebP picture.').waitFor();
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    await picker.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: big });
    await dialog.getByText('The picture is too large: at most 5 MB.').waitFor();
    expect(await dialog.getByTestId('broadcast-photo-thumb').count()).toBe(0);

    await picker.setInputFiles({ name: 'autumn.png', mimeType: 'image/png', buffer: PNG });
    const thumb = dialog.getByTestId('broadcast-photo-thumb');
    await thumb.waitFor();
    // Shown from the computer itself (a blob: address the page's CSP lets it load), not from the server.
    expect(await thumb.getAttribute('src')).toMatch(/^blob:/);
    await page.waitForFunction(
      (el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth === 2,
      await thumb.elementHandle(),
    );
    expect(await dialog.getByText('Choose a JPEG, PNG or WebP picture.').count()).toBe(0);
    await dialog.getByTestId('preview-photo').getByText('autumn.png').waitFor();
    await screenshot(page, 'broadcast-photo-picked-en');
    await dialog.getByTestId('broadcast-save').click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.getByTestId('broadcast-row').first();
    await row.getByTestId('broadcast-photo').waitFor();
    const preview = await owner.message(has('Autumn sale with our own picture'));
    expect(preview.photo).toBeDefined();
    await row.getByText('Preview sent').waitFor({ timeout: 30_000 });
    // One preview, with the picture: the draft saved just before it was not previewed without it.
    const previews = owner.messages().filter((m) => m.direction === 'bot' && textOf(m).includes('Autumn sale'));
    expect(previews.map((m) => m.method)).toEqual(['sendPhoto']);
    const [draft] = (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/broadcasts`).expect(200)).body.items;
    // The picture is now Telegram's: the draft keeps the file_id the preview got back, and no bytes.
    expect(draft).toMatchObject({ photo: preview.photo!.at(-1)!.file_id, photoUpload: null });

    const before = customer.lastId();
    await row.getByTestId('broadcast-start').click();
    await row.getByText('Sent', { exact: true }).waitFor({ timeout: 30_000 });
    const got = await customer.next(before, has('Autumn sale'));
    expect(textOf(got)).toBe('Autumn sale with our own picture');
    expect(got.photo?.at(-1)?.file_unique_id).toBe(preview.photo!.at(-1)!.file_unique_id);
    await screenshot(page, 'broadcast-photo-sent-en');
  });
});
