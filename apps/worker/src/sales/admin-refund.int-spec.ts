import { DataSource } from 'typeorm';
import { BotSettingsService } from '@botfleet/bots';
import { Actors } from '@botfleet/common';
import {
  buttonData,
  buttonsOf,
  HOSTING_WORKER_ENV,
  TelegramEmulator,
  TestBot,
  TestContext,
  waitFor,
  WorkerWorld,
} from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

type Msg = ReturnType<TelegramEmulator['getChatMessages']>[number];
type From = { id: number; first_name: string; language_code: string };

const OWNER = 934_001;
const AGENT = 934_002;
const PRICE = 50_000;
const shown = (m: Msg): string => m.text ?? m.caption ?? '';

/**
 * The refund of a sale from the bot's /admin customer card, as an admin meets it in Telegram: a real worker hosts
 * the bot against the Telegram emulator and runs the panel jobs against a Remnawave emulator, on real PostgreSQL
 * and Redis.
 */
describe('refund from /admin in the bot (worker, Telegram and Remnawave emulators, PostgreSQL, Redis)', () => {
  jest.setTimeout(120_000);

  let world: WorkerWorld;
  let telegram: TelegramEmulator;
  let ctx: TestContext;
  let platform: DataSource;
  let bot: TestBot;
  let planId: string;
  const owner: From = { id: OWNER, first_name: 'Owner', language_code: 'en' };
  const agent: From = { id: AGENT, first_name: 'Agent', language_code: 'en' };

  const botMessages = (chatId: number) =>
    telegram.getChatMessages(bot.telegram.id, chatId).filter((m) => m.direction === 'bot');
  const lastId = (chatId: number) =>
    telegram.getChatMessages(bot.telegram.id, chatId).reduce((n, m) => Math.max(n, m.messageId), 0);
  const waitForBot = (chatId: number, match: (m: Msg) => boolean, timeoutMs = 20_000) =>
    waitFor(() => botMessages(chatId).find(match), timeoutMs);
  const balanceOf = async (telegramId: number) =>
    Number(
      (
        await platform.query(`SELECT balance_minor b FROM users WHERE bot_id = $1 AND telegram_id = $2`, [
          bot.id,
          telegramId,
        ])
      )[0].b,
    );
  const refundRows = async (orderId: string) =>
    Number(
      (
        await platform.query(`SELECT count(*) n FROM transactions WHERE idempotency_key = $1`, [
          `order:${orderId}:refund`,
        ])
      )[0].n,
    );

  /** A card sale the owner approved, its account made on the panel by the worker. */
  const fulfilledCardSale = async () => {
    const paid = await ctx.newPaidOrder(bot.id, { via: 'card', planId });
    await waitFor(async () => (await world.orderStatus(paid.orderId)) === 'fulfilled', 30_000);
    const username = (await world.subscription(paid.subscriptionId)).panel_username!;
    expect(world.rw.account(username)?.enabled).toBe(true);
    return { ...paid, username };
  };
  /** `/find <telegram id>` by an admin: the customer's card. */
  const openCard = async (from: From, telegramId: number) => {
    const after = lastId(from.id);
    telegram.sendText(bot.telegram.id, { from, text: `/find ${telegramId}` });
    return waitForBot(from.id, (m) => m.messageId > after && shown(m).includes(String(telegramId)));
  };
  const press = (from: From, message: Msg, data: string, forged = false) =>
    telegram.pressButton(bot.telegram.id, { from, messageId: message.messageId, data, forged });
  const answerOf = (pressed: { callbackQueryId: string }) =>
    telegram.waitForCallbackAnswer(bot.telegram.id, pressed.callbackQueryId, 20_000);

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: HOSTING_WORKER_ENV,
      panels: ['remnawave'],
    });
    ({ telegram, platform, ctx } = world);
    await world.newRemnawavePanel();
    bot = await ctx.newBot({ ownerTelegramId: OWNER, walletMinor: 10_000_000, defaultLanguage: 'en' });
    await ctx.setWholesalePrice(bot.id, { perPlanMinor: 1000, perGbMinor: 0 });
    planId = (await ctx.newPlan(bot.id, { name: { en: 'Month' }, priceMinor: PRICE })).id;
    await ctx.get(BotSettingsService).setAdminRoles(
      bot.id,
      [
        { telegramId: OWNER, role: 'owner' },
        { telegramId: AGENT, role: 'support' },
      ],
      Actors.tenantApi(bot.id),
    );
    await world.startWorker(createWorkerApp);
    await telegram.waitForPolling(bot.telegram.id, 15_000);
  });

  afterAll(() => world?.close());

  it('the owner refunds a card sale to the wallet from the customer card: once, account off, customer told', async () => {
    const sale = await fulfilledCardSale();
    const card = await openCard(owner, sale.telegramId);
    const refundButton = buttonsOf(card).find((b) => b.callback_data?.startsWith('ad:or:'));
    expect(refundButton?.text).toContain('Refund');

    const asked = press(owner, card, refundButton!.callback_data!);
    await answerOf(asked);
    const confirm = await waitForBot(owner.id, (m) => m.messageId === card.messageId && !!buttonData(m, 'ad:oR:'));
    expect(shown(confirm)).toContain('Refund the order');
    const toWallet = buttonsOf(confirm).find(
      (b) => b.callback_data?.startsWith('ad:oR:') && b.callback_data.endsWith(':w'),
    )!;
    expect(toWallet.text).toContain('wallet');

    const done = await answerOf(press(owner, confirm, toWallet.callback_data!));
    expect(done.text).toContain('Done');
    expect(await world.orderStatus(sale.orderId)).toBe('refunded');
    expect(await balanceOf(sale.telegramId)).toBe(PRICE);
    await waitFor(() => world.rw.account(sale.username)?.enabled === false, 20_000);
    await waitForBot(sale.telegramId, (m) => shown(m).includes('The shop refunded your order'));

    // The same confirmation again (a double tap, a stale screen): said so, nothing more is credited.
    const again = await answerOf(press(owner, confirm, toWallet.callback_data!, true));
    expect(again).toMatchObject({ showAlert: true, text: 'This order was refunded already.' });
    expect(await balanceOf(sale.telegramId)).toBe(PRICE);
    expect(await refundRows(sale.orderId)).toBe(1);
  });

  it('a support agent sees no Refund button and a forged refund tap is refused; nothing changes', async () => {
    const sale = await fulfilledCardSale();
    const ownerCard = await openCard(owner, sale.telegramId);
    const refundAsk = buttonData(ownerCard, 'ad:or:')!;
    const forged = refundAsk.replace('ad:or:', 'ad:oR:') + ':w';

    const agentCard = await openCard(agent, sale.telegramId);
    expect(buttonData(agentCard, 'ad:or:')).toBeUndefined();
    for (const data of [refundAsk, forged]) {
      const answer = await answerOf(press(agent, agentCard, data, true));
      expect(answer.showAlert).toBe(true);
    }
    expect(await world.orderStatus(sale.orderId)).toBe('fulfilled');
    expect(await balanceOf(sale.telegramId)).toBe(0);
    expect(world.rw.account(sale.username)?.enabled).toBe(true);
  });
});
