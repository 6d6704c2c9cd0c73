import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConfigurationsService } from '@botfleet/catalog';
import {
  applyEnv,
  buttonData,
  buttonsOf,
  createTestEnv,
  HOSTILE_STRINGS,
  QUICK_BOT_LEASES,
  stringProblem,
  TelegramEmulator,
  TestBot,
  TestContext,
  TestEnv,
  waitFor,
} from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

type Msg = ReturnType<TelegramEmulator['getChatMessages']>[number];
type From = { id: number; first_name: string; last_name?: string; username?: string; language_code: string };

const OWNER = 940_001;
/** Names a user can give themselves: HTML specials, a right-to-left override, a lone surrogate, NUL. */
const HOSTILE_NAME = `\u202E${HOSTILE_STRINGS.htmlSpecials}\uD800\u0000`;
/** A plan name no longer than a label: specials, an override, Persian. */
const HOSTILE_PLAN = `<b>Fast & "Safe"</b> \u202Eعلی`;

const shown = (m: Msg): string => m.text ?? m.caption ?? '';

/** What Telegram stored: nothing that could reorder the text or fail to encode; labels within limits. */
function expectSafe(m: Msg): void {
  expect(stringProblem(shown(m))).toBeNull();
  for (const b of buttonsOf(m)) {
    expect(stringProblem(b.text)).toBeNull();
    expect(b.text.length).toBeLessThanOrEqual(64);
    expect(b.text).not.toMatch(/&(amp|lt|gt|quot);/);
  }
}

/**
 * Hostile text through the bot as Telegram would carry it (README "Hostile text"): a real worker hosts a bot
 * against the Telegram emulator — which parses HTML, enforces Telegram's lengths and refuses strings that are
 * not valid UTF-8, so a broken text is a failed send — with a tenant's texts and a user's name made of HTML
 * specials, direction overrides, lone surrogates and NUL.
 */
describe('hostile text in the bot (worker, Telegram emulator, PostgreSQL, Redis)', () => {
  jest.setTimeout(90_000);

  let telegram: TelegramEmulator;
  let env: TestEnv;
  let restoreEnv: () => void;
  let ctx: TestContext;
  let worker: INestApplication;
  let platform: DataSource;
  let bot: TestBot;
  let seq = 0;
  const newUser = (): From => ({
    id: 941_000 + ++seq,
    first_name: HOSTILE_NAME,
    last_name: HOSTILE_STRINGS.rtlEscapeIsolate,
    language_code: 'en',
  });

  const botMessages = (chatId: number) =>
    telegram.getChatMessages(bot.telegram.id, chatId).filter((m) => m.direction === 'bot');
  const waitForBotMessage = (chatId: number, match: (m: Msg) => boolean, timeoutMs = 15_000) =>
    waitFor(() => botMessages(chatId).find(match), timeoutMs);
  const lastId = (chatId: number) =>
    telegram.getChatMessages(bot.telegram.id, chatId).reduce((n, m) => Math.max(n, m.messageId), 0);
  const after = (chatId: number, mark: number, match: (m: Msg) => boolean) =>
    waitForBotMessage(chatId, (m) => m.messageId > mark && match(m));

  beforeAll(async () => {
    telegram = await TelegramEmulator.start();
    env = await createTestEnv({
      TELEGRAM_API_ROOT: telegram.url,
      ...QUICK_BOT_LEASES,
      BOT_POLL_TIMEOUT_S: '1',
      SALE_SWEEP_INTERVAL_MS: '0',
      TRAFFIC_SYNC_INTERVAL_MS: '0',
    });
    restoreEnv = applyEnv(env.vars);
    platform = await env.db.platform();
    ctx = await TestContext.create({ env, telegram, jobs: 'detached' });
    bot = await ctx.newBot({ ownerTelegramId: OWNER, walletMinor: 10_000_000, defaultLanguage: 'en' });
    const configs = ctx.get(ConfigurationsService);
    await configs.set(bot.id, 'welcome_text', {
      en: `\u202E${HOSTILE_STRINGS.htmlSpecials}\n${'"<>&'.repeat(700)}`,
    });
    await configs.set(bot.id, 'support_text', { en: `\u2069\u202E${'<&>'.repeat(300)}` });
    await configs.set(bot.id, 'main_menu_buttons', [
      [{ action: 'buy', text: { en: `\u202E<b>Buy & "save"</b> ${'😀'.repeat(20)}` } }],
      [{ action: 'support', text: { en: '\u200B\uFEFF\u200B' } }],
      [{ url: 'https://example.com/help', text: { en: `علی ${'&'.repeat(60)}` } }],
    ]);
    await ctx.newCard(bot.id, { cardHolderName: `\u202E${'<>&"'.repeat(20)}`, bankName: '\u202Eبانک <b>' });
    await ctx.newPlan(bot.id, { name: { en: HOSTILE_PLAN }, priceMinor: 50_000 });
    await configs.set(bot.id, 'receipt_requires_photo', false);
    worker = await createWorkerApp();
    await worker.init();
    await telegram.waitForPolling(bot.telegram.id, 15_000);
  });

  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
    restoreEnv?.();
    await env?.cleanup();
    await telegram?.close();
  });

  it('the welcome, its buttons and the support screen reach a user whose name is hostile', async () => {
    const user = newUser();
    telegram.sendText(bot.telegram.id, { from: user, text: '/start' });
    const menu = await waitForBotMessage(user.id, (m) => !!buttonData(m, 'menu:'));
    expectSafe(menu);
    expect(shown(menu)).toContain('<b>&amp; "quoted" </b>');
    expect(shown(menu).length).toBeLessThanOrEqual(4096);
    const labels = buttonsOf(menu).map((b) => b.text);
    expect(labels[0].startsWith('<b>Buy & "save"</b> 😀')).toBe(true);
    // A label of zero-width characters alone falls back to ours.
    expect(labels[1]).toMatch(/support/i);

    const mark = lastId(user.id);
    telegram.pressButton(bot.telegram.id, { from: user, messageId: menu.messageId, data: 'menu:support' });
    const support = await after(user.id, mark - 1, (m) => shown(m).includes('<&>'));
    expectSafe(support);
  });

  it('the plans list shows the name as written; the card screen and the review message to admins stay valid', async () => {
    const user = newUser();
    telegram.sendText(bot.telegram.id, { from: user, text: '/buy' });
    const plans = await waitForBotMessage(user.id, (m) => !!buttonData(m, 's:p:'));
    expectSafe(plans);
    const planButton = buttonsOf(plans).find((b) => b.callback_data?.startsWith('s:p:'))!;
    // Shown as written (isolated, as it holds Persian), not as "&lt;b&gt;".
    expect(planButton.text.replace(/[\u2066-\u2069]/g, '').startsWith('<b>Fast & "Safe"</b> علی')).toBe(true);

    telegram.pressButton(bot.telegram.id, { from: user, messageId: plans.messageId, data: planButton.callback_data! });
    const methods = await waitForBotMessage(user.id, (m) => !!buttonData(m, 's:c:'));
    expectSafe(methods);
    telegram.pressButton(bot.telegram.id, {
      from: user,
      messageId: methods.messageId,
      data: buttonData(methods, 's:c:')!,
    });
    const card = await waitForBotMessage(user.id, (m) => shown(m).includes('C2C-'));
    expectSafe(card);
    const tracking = /C2C-\d{6}-[0-9A-Z]{6}/.exec(shown(card))![0];

    const mark = lastId(user.id);
    telegram.sendText(bot.telegram.id, {
      from: user,
      // Telegram takes 4,096 characters from a user; escaped, these are five times as long.
      text: `\u202E${'"<>&'.repeat(1000)}\uD800\u0000 ${HOSTILE_STRINGS.rtlEscapeIsolate}`,
    });
    // NUL cannot be stored: the receipt is kept without it (before, the update failed and the user heard nothing).
    await after(user.id, mark, (m) => shown(m).includes('under review'));
    const review = await waitForBotMessage(OWNER, (m) => shown(m).includes(tracking) && !!buttonData(m, 'rv:a:'));
    expectSafe(review);
    expect(shown(review).length).toBeLessThanOrEqual(4096);
    expect(shown(review)).toMatch(/shortened to fit Telegram\)$/);
    const status = await platform.query(`SELECT status FROM card_to_card_payments WHERE tracking_number = $1`, [
      tracking,
    ]);
    expect(status[0].status).toBe('pending');
  });
});
