import Redis from 'ioredis';
import type { Browser } from 'playwright-core';
import { buttonsOf, testRedisUrl, waitFor } from '@botfleet/testing';
import { TextKey, translate } from '@botfleet/telegram';
import { BotChat, ChatMessage } from './support/bot-chat';
import { launchBrowser, newContext } from './support/browser';
import { hostedShop } from './support/hosted-shop';

/** The console's public address as the bots write it into their links. */
const PUBLIC = 'https://console.botfleet.test';
/** The master bot, registered in the emulator before the worker starts (its token must be in the env first). */
const MASTER_TOKEN = `7390011002:AA${'m'.repeat(33)}`;
const OWNER = { id: 883_001, first_name: 'Owner', language_code: 'en' };
const STRANGER = { id: 883_002, first_name: 'Stranger', language_code: 'en' };
const NEW_OWNER = 883_003;
const OPEN_SETTINGS = '🖥 Open Settings';
const LINK = new RegExp(`^${PUBLIC.replace(/\./g, '\\.')}/console/login#code=([A-Za-z0-9_-]{43})&to=(.+)$`);

/** The text in whichever language the master bot answers in. */
const anyLanguage = (key: TextKey): string[] => (['en', 'fa', 'ru'] as const).map((l) => translate(l, key));

/**
 * A shop owner whose bot token Telegram revoked signs in to the console without the shop bot (it cannot speak) and
 * without their API token: the master bot's notice carries "Open Settings", which answers the owner — and only the
 * owner, while they still own the bot — with a one-time sign-in link that lands on the bot's Settings. The real API,
 * a spawned worker hosting the master bot and the shop, the Telegram emulator.
 */
describe('the revoked-token notice: a sign-in link to Settings from the master bot', () => {
  jest.setTimeout(120_000);
  const shop = hostedShop({
    join: { ownerTelegramId: OWNER.id },
    api: 'listening',
    env: { PUBLIC_BASE_URL: PUBLIC, MASTER_BOT_TOKEN: MASTER_TOKEN },
  });
  const master = shop.emu.createBot({ token: MASTER_TOKEN, username: 'links_master_bot' });
  const owner = new BotChat(shop.emu, master, OWNER);
  let redis: Redis;
  let browser: Browser | undefined;
  let notice: ChatMessage;

  beforeAll(async () => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    await shop.emu.waitForPolling(master.id, 20_000);
    shop.emu.revokeToken(shop.tg.id);
    notice = await owner.message((m) => (m.text ?? '').includes(`@${shop.tg.username}`), 30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await redis?.quit();
  });

  /** The live one-time codes in Redis (only their hashes are kept). */
  const liveCodes = async (): Promise<number> => {
    const keys = await redis.keys(`${shop.env.redisPrefix}:console-link:*`);
    return keys.filter((k) => /:console-link:[0-9a-f]{64}$/.test(k)).length;
  };

  /** Forgets the counted presses (the limit's window), so a test starts with a full allowance. */
  const clearLimits = async (): Promise<void> => {
    const keys = await redis.keys(`${shop.env.redisPrefix}:console-link:owner-rl:*`);
    if (keys.length) await redis.del(...keys);
  };

  /** Presses "Open Settings" under the notice as `user` (in the owner's chat: the notice forwarded, say). */
  const pressAs = async (user: { id: number; first_name: string }) => {
    const press = shop.emu.pressButton(master.id, {
      from: user,
      chatId: OWNER.id,
      messageId: notice.messageId,
      buttonText: OPEN_SETTINGS,
    });
    return shop.emu.waitForCallbackAnswer(master.id, press.callbackQueryId, 15_000);
  };

  /** The owner presses and waits for the master bot's message with the link; the code and the return path. */
  const ownerGetsLink = async (): Promise<{ code: string; to: string }> => {
    const after = owner.lastId();
    const answer = await pressAs(OWNER);
    expect(answer.showAlert).toBe(false);
    const msg = await owner.next(after, (m) => buttonsOf(m).some((b) => b.url?.includes('#code=')));
    const url = buttonsOf(msg).find((b) => b.url?.includes('#code='))!.url!;
    const m = LINK.exec(url);
    if (!m) throw new Error(`not a sign-in link: ${url}`);
    return { code: m[1], to: decodeURIComponent(m[2]) };
  };

  it('the owner presses "Open Settings": a one-time link that signs them in as the owner, landing on Settings', async () => {
    await waitFor(
      async () => (await shop.api('get', `/v1/bots/${shop.botId}`).expect(200)).body.status === 'token_invalid',
      10_000,
    );
    expect(buttonsOf(notice).map((b) => b.text)).toContain(OPEN_SETTINGS);

    const { code, to } = await ownerGetsLink();
    expect(to).toBe(`/bots/${shop.botId}/settings`);

    const signedIn = await shop.http().post('/v1/sessions').send({ code }).expect(201);
    expect(signedIn.body.session).toMatchObject({
      kind: 'tenant',
      botId: shop.botId,
      telegramId: OWNER.id,
      role: 'owner',
    });
    // The session may change Settings: the owner's permissions.
    const cookie = signedIn.headers['set-cookie'];
    const me = await shop.http().get('/v1/sessions/current').set('Cookie', cookie).expect(200);
    expect(me.body.permissions).toContain('settings');

    // The code works once.
    await shop.http().post('/v1/sessions').send({ code }).expect(401);
  });

  it('anyone else pressing the same button is refused, and no code is issued', async () => {
    const before = await liveCodes();
    const ownerMessages = owner.messages().length;
    const answer = await pressAs(STRANGER);
    expect(answer.showAlert).toBe(true);
    expect(anyLanguage('owner.settingsRefused')).toContain(answer.text);
    expect(await liveCodes()).toBe(before);
    expect(owner.messages()).toHaveLength(ownerMessages);
    expect(shop.emu.getChatMessages(master.id, STRANGER.id)).toHaveLength(0);
  });

  it("the link opens the console signed in as the owner, on the bot's Settings page", async () => {
    const { code, to } = await ownerGetsLink();
    browser = await launchBrowser();
    const page = await (await newContext(browser)).newPage();
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    await page.addInitScript(() => localStorage.setItem('bf.lang', 'en'));
    // The link as the master bot wrote it, on the test's address instead of PUBLIC_BASE_URL.
    await page.goto(`${shop.apiUrl}/console/login#code=${code}&to=${encodeURIComponent(to)}`);
    await page.waitForURL((u) => u.pathname === `/console/bots/${shop.botId}/settings`, { timeout: 20_000 });
    await page.getByTestId('telegram-token-card').waitFor();
    // The code went in the request body only: never in an address, and it is gone from the address bar.
    expect(urls.filter((u) => u.includes(code))).toEqual([]);
    expect(page.url()).not.toContain(code);
  });

  it('repeated presses are limited: after five links in the window, the next press is refused', async () => {
    await clearLimits();
    for (let i = 0; i < 5; i++) await ownerGetsLink();
    const before = await liveCodes();
    const answer = await pressAs(OWNER);
    expect(answer.showAlert).toBe(true);
    expect(anyLanguage('error.rateLimited')).toContain(answer.text);
    expect(await liveCodes()).toBe(before);
  });

  it('a bot whose owner changed: the former owner is refused, and no code is issued', async () => {
    // No product path hands a bot over yet; this is what such a hand-over writes: the bots row and the owner role
    // move to the new owner, and the former owner stays on as an admin (who may still open the console from /admin).
    await shop.q(`UPDATE bots SET owner_telegram_id = $2 WHERE id = $1`, [shop.botId, NEW_OWNER]);
    await shop.q(`UPDATE bot_admins SET is_owner = false, role = 'admin' WHERE bot_id = $1 AND telegram_id = $2`, [
      shop.botId,
      OWNER.id,
    ]);
    await shop.q(`INSERT INTO bot_admins (bot_id, telegram_id, is_owner, role) VALUES ($1, $2, true, 'owner')`, [
      shop.botId,
      NEW_OWNER,
    ]);
    // The presses above used up the window: a refusal here must come from the owner check, not the limit.
    await clearLimits();
    const before = await liveCodes();
    const answer = await pressAs(OWNER);
    expect(answer.showAlert).toBe(true);
    expect(anyLanguage('owner.settingsRefused')).toContain(answer.text);
    expect(await liveCodes()).toBe(before);
  });
});
