import Redis from 'ioredis';
import { CONFIGURATION_KEYS, FEATURE_CATALOG, FeatureKey, MENU_ACTIONS } from '@botfleet/catalog';
import { MENU_ACTION_AVAILABILITY, visibleMenuButtons } from '@botfleet/telegram';
import { DataSource } from 'typeorm';
import {
  AppProcess,
  createTestEnv,
  freePort,
  platformOf,
  spawnApp,
  TelegramEmulator,
  TestEnv,
  testRedisUrl,
  waitFor,
} from '@botfleet/testing';
import { PublicApi } from './support/public-api';
import { QUICK_BOT_LEASES, startUpdateWithId } from './support/bot-chat';

/**
 * Bot lifecycle against the real worker process, PostgreSQL, Redis and the Telegram emulator:
 * a registered bot answers /start within 2 s, pause silences it, resume brings it back, a replaced
 * token is polled instead of the old one, the first conversation works, and a revoked token
 * marks the bot token_invalid and tells its owner through the master bot.
 */
describe('bot hosting: lifecycle and first conversation', () => {
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let worker: AppProcess;
  let platform: DataSource;
  let api: PublicApi;
  let master: { id: number; token: string; username: string };
  const masterAdmin = 424242;
  let userSeq = 10_000;
  const user = (over: Record<string, unknown> = {}) => ({ id: ++userSeq, first_name: `U${userSeq}`, ...over });

  const start = (botTgId: number, from: { id: number }, text = '/start') => emu.sendText(botTgId, { from, text });
  const botMessages = (botTgId: number, chatId: number) => emu.getChatMessages(botTgId, chatId);

  beforeAll(async () => {
    const url = await emu.listen(0);
    master = emu.createBot({ username: 'platform_master_bot', firstName: 'Platform' });
    env = await createTestEnv({
      TELEGRAM_API_ROOT: url,
      MASTER_BOT_TOKEN: master.token,
      MASTER_ADMIN_TELEGRAM_IDS: String(masterAdmin),
      ...QUICK_BOT_LEASES,
      BOT_SETTINGS_CACHE_MS: '500',
      WORKER_HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    });
    platform = await platformOf(env);
    api = await PublicApi.start(env);
    worker = spawnApp('worker', env.vars);
    const redis = new Redis(testRedisUrl());
    try {
      await waitFor(() => redis.zcard(`${env.redisPrefix}:workers`), 20_000);
    } finally {
      redis.disconnect();
    }
  }, 40_000);

  afterAll(async () => {
    if (process.env.SHOW_WORKER_OUTPUT) console.log(worker?.output().slice(-6000));
    await worker?.stop();
    await api?.close();
    await emu.close();
    await env?.cleanup();
  });

  it('a registered bot answers /start within 2 s, and the user row is created', async () => {
    const tg = emu.createBot({ username: 'fresh_shop_bot' });
    const { id: botId } = await api.registerBot(tg, { name: 'Fresh <Shop>' });
    const t0 = Date.now(); // registered and announced, as when POST /v1/bots returns
    const from = user({ language_code: 'ru', first_name: '<b>Eve</b>' });
    await start(tg.id, from);
    const [reply] = await emu.waitForMessages(tg.id, from.id, 1, 2_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
    // Russian is offered by default and is the user's Telegram language; names are escaped.
    expect(reply.sourceText).toContain('Здравствуйте, &lt;b&gt;Eve&lt;/b&gt;');
    expect(reply.sourceText).toContain('Fresh &lt;Shop&gt;');
    const buttons = (reply.replyMarkup as { inline_keyboard: { callback_data?: string }[][] }).inline_keyboard
      .flat()
      .map((b) => b.callback_data);
    // Only what works: the default menu through the one availability filter; support is hidden without a
    // contact, screens that are not built (MENU_ACTION_AVAILABILITY says false) are hidden.
    // A new bot has the catalogue's default features (allowed and enabled by default).
    const defaults = new Set(
      (Object.keys(FEATURE_CATALOG) as FeatureKey[]).filter(
        (k) => FEATURE_CATALOG[k].enabledByDefault && FEATURE_CATALOG[k].allowedByDefault,
      ),
    );
    const expected = visibleMenuButtons(CONFIGURATION_KEYS.main_menu_buttons.default, {
      features: defaults,
      languages: ['fa', 'en', 'ru'],
      hasSupportContact: false,
    })
      .flat()
      .map((b) => `menu:${b.action}`);
    expect(buttons).toEqual(expected);
    expect(buttons).toEqual(expect.arrayContaining(['menu:language', 'menu:help']));
    expect(buttons).not.toContain('menu:support');
    for (const action of MENU_ACTIONS) {
      if (
        !MENU_ACTION_AVAILABILITY[action]({
          features: defaults,
          languages: ['fa', 'en', 'ru'],
          hasSupportContact: false,
        })
      )
        expect(buttons).not.toContain(`menu:${action}`);
    }
    const [row] = await platform.query(`SELECT language, status, referral_code FROM users WHERE bot_id = $1`, [botId]);
    expect(row).toMatchObject({ language: 'ru', status: 'active' });
    expect(row.referral_code).toMatch(/^[a-z2-9]{10}$/);
  });

  it('pause makes the bot silent, resume brings it back', async () => {
    const tg = emu.createBot();
    const bot = await api.registerBot(tg);
    await emu.waitForPolling(tg.id, 2_000);
    await api.setPaused(bot, true);
    await waitFor(async () => (await emu.getBotStats(tg.id)).activePollers === 0, 2_000);
    const from = user();
    await start(tg.id, from);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await botMessages(tg.id, from.id)).toHaveLength(0);
    await api.setPaused(bot, false);
    // The /start sent while paused waited at Telegram and is answered now.
    await emu.waitForMessages(tg.id, from.id, 1, 2_000);
  });

  it('a replaced token is polled at once and the old one no longer', async () => {
    const oldTg = emu.createBot();
    const bot = await api.registerBot(oldTg);
    await emu.waitForPolling(oldTg.id, 2_000);
    const newTg = emu.createBot();
    await api.replaceTelegramToken(bot, newTg);
    await emu.waitForPolling(newTg.id, 2_000);
    await waitFor(async () => (await emu.getBotStats(oldTg.id)).activePollers === 0, 2_000);
    const before = (await emu.getBotStats(oldTg.id)).getUpdatesCalls;
    const from = user();
    await start(newTg.id, from);
    await emu.waitForMessages(newTg.id, from.id, 1, 2_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await emu.getBotStats(oldTg.id)).getUpdatesCalls).toBe(before);
  });

  it('/lang changes the language; ref_ links record the referrer; a blocked user only gets the notice', async () => {
    const tg = emu.createBot();
    const bot = await api.registerBot(tg, { supportUsername: 'shop_help', defaultLanguage: 'fa' });
    const botId = bot.id;
    const alice = user({ language_code: 'de' }); // not offered: the bot default (fa)
    await start(tg.id, alice);
    const [menu] = await emu.waitForMessages(tg.id, alice.id, 1, 3_000);
    expect(menu.sourceText).toContain('خوش آمدید');
    await start(tg.id, alice, '/lang');
    const [, picker] = await emu.waitForMessages(tg.id, alice.id, 2, 3_000);
    await emu.pressButton(tg.id, { from: alice, messageId: picker.messageId, data: 'lang:en' });
    await emu.waitForEdit(tg.id, alice.id, picker.messageId, 1, 3_000);
    const edited = (await botMessages(tg.id, alice.id)).find((m) => m.messageId === picker.messageId)!;
    expect(edited.sourceText).toContain('Welcome to');
    const [a] = await platform.query(
      `SELECT id, language, referral_code FROM users WHERE bot_id = $1 AND telegram_id = $2`,
      [botId, alice.id],
    );
    expect(a.language).toBe('en');

    const bob = user();
    await start(tg.id, bob, `/start ref_${a.referral_code}`);
    await emu.waitForMessages(tg.id, bob.id, 1, 3_000);
    const [b] = await platform.query(
      `SELECT referrer_id, referred_via FROM users WHERE bot_id = $1 AND telegram_id = $2`,
      [botId, bob.id],
    );
    expect(b).toEqual({ referrer_id: a.id, referred_via: `ref_${a.referral_code}` });

    await start(tg.id, bob, '/support');
    const support = await emu.waitForMessages(tg.id, bob.id, 2, 3_000);
    expect(support[1].sourceText).toContain('@shop_help');

    const [{ id: bobId }] = await platform.query(`SELECT id FROM users WHERE bot_id = $1 AND telegram_id = $2`, [
      botId,
      bob.id,
    ]);
    await api.as(bot.apiToken, 'patch', `/v1/bots/${botId}/users/${bobId}`).send({ status: 'blocked' }).expect(200);
    await start(tg.id, bob, '/start');
    const after = await emu.waitForMessages(tg.id, bob.id, 3, 3_000);
    expect(after[2].sourceText).toContain('مسدود');
    expect(after[2].replyMarkup).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(await botMessages(tg.id, bob.id)).toHaveLength(3);
  });

  it('a revoked token marks the bot token_invalid and the owner hears it from the master bot', async () => {
    await waitFor(async () => (await platform.query(`SELECT 1 FROM bots WHERE is_master`)).length, 5_000);
    const [m] = await platform.query(`SELECT status, telegram_username FROM bots WHERE is_master`);
    expect(m).toEqual({ status: 'active', telegram_username: 'platform_master_bot' });
    const admins = await platform.query(
      `SELECT telegram_id::int AS id, is_owner FROM bot_admins b JOIN bots ON bots.id = b.bot_id WHERE bots.is_master`,
    );
    expect(admins).toEqual([{ id: masterAdmin, is_owner: true }]);

    const tg = emu.createBot({ username: 'doomed_bot' });
    const owner = 5_550_001;
    const { id: botId } = await api.registerBot(tg, { ownerTelegramId: owner });
    await emu.waitForPolling(tg.id, 2_000);
    emu.revokeToken(tg.id);
    await waitFor(
      async () =>
        (await platform.query(`SELECT status FROM bots WHERE id = $1`, [botId]))[0].status === 'token_invalid',
      8_000,
    );
    const [notice] = await emu.waitForMessages(master.id, owner, 1, 3_000);
    expect(notice.sourceText).toContain('@doomed_bot');
    await new Promise((r) => setTimeout(r, 1_000));
    const calls = (await emu.getBotStats(tg.id)).getUpdatesCalls;
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await emu.getBotStats(tg.id)).getUpdatesCalls).toBe(calls);
  });

  it('the master bot itself runs like any other bot', async () => {
    const from = user();
    await start(master.id, from);
    await emu.waitForMessages(master.id, from.id, 1, 3_000);
  });

  it("the worker's logs (a 401 and a token replacement included) never show a bot token", async () => {
    const out = worker.output();
    expect(out).toContain('token_invalid'); // the logs are on and cover the revoked token
    expect(out).not.toMatch(/\d{5,12}:[A-Za-z0-9_-]{30,}/);
    expect(out).not.toContain(master.token.split(':')[1]);
  });

  it('MASTER_BOT_TOKEN changed to another bot: the new master answers updates whose ids the old one used', async () => {
    const from = user();
    const { updateId } = await start(master.id, from);
    await emu.waitForMessages(master.id, from.id, 1, 3_000);
    await worker.stop();
    const next = emu.createBot({ username: 'platform_master_v2_bot', firstName: 'Platform' });
    worker = spawnApp('worker', { ...env.vars, MASTER_BOT_TOKEN: next.token });
    await emu.waitForPolling(next.id, 20_000);
    // Update ids are per Telegram bot: the new one may well send an id the old one already sent.
    const after = user();
    emu.pushUpdate(next.id, startUpdateWithId(updateId, after));
    await emu.waitForMessages(next.id, after.id, 1, 5_000);
  }, 40_000);
});
