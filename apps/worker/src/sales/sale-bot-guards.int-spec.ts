import { DataSource } from 'typeorm';
import { ConfigurationsService } from '@botfleet/catalog';
import { Actors } from '@botfleet/common';
import { RejectReceiptUseCase } from '@botfleet/sales';
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

const NASTY = '"<>&';
const OWNER = 930_001;

const shown = (m: Msg): string => m.text ?? m.caption ?? '';

/**
 * The sale's guards as users and admins meet them in Telegram: a real worker hosts the bot against the Telegram
 * emulator (which parses HTML and enforces Telegram's lengths, so a broken text is a failed send), on real
 * PostgreSQL and Redis.
 */
describe('sale guards in the bot (worker, Telegram emulator, PostgreSQL, Redis)', () => {
  jest.setTimeout(90_000);

  let world: WorkerWorld;
  let telegram: TelegramEmulator;
  let ctx: TestContext;
  let platform: DataSource;
  let bot: TestBot;
  let seq = 0;
  const owner: From = { id: OWNER, first_name: 'Owner', language_code: 'en' };
  const newBuyer = (firstName = 'Buyer'): From => ({ id: 931_000 + ++seq, first_name: firstName, language_code: 'en' });

  const botMessages = (chatId: number) =>
    telegram.getChatMessages(bot.telegram.id, chatId).filter((m) => m.direction === 'bot');
  const waitForBotMessage = (chatId: number, match: (m: Msg) => boolean, timeoutMs = 15_000) =>
    waitFor(() => botMessages(chatId).find(match), timeoutMs);
  const newBotMessage = async (chatId: number, after: number, match: (m: Msg) => boolean) =>
    waitForBotMessage(chatId, (m) => m.messageId > after && match(m));
  const lastId = (chatId: number) =>
    telegram.getChatMessages(bot.telegram.id, chatId).reduce((n, m) => Math.max(n, m.messageId), 0);
  const has = (s: string) => (m: Msg) => shown(m).includes(s);

  /** /buy → the plan named `plan` → (new) → the card: the methods screen and the card screen. */
  const buyByCard = async (from: From, plan: string) => {
    const start = lastId(from.id);
    telegram.sendText(bot.telegram.id, { from, text: '/buy' });
    const plans = await newBotMessage(from.id, start, (m) => !!buttonData(m, 's:p:'));
    const planButton = buttonsOf(plans).find((b) => b.text.includes(plan))!;
    telegram.pressButton(bot.telegram.id, { from, messageId: plans.messageId, data: planButton.callback_data! });
    // Each step edits the message it was chosen on.
    const methods = await newBotMessage(from.id, plans.messageId - 1, (m) => !!buttonData(m, 's:c:'));
    telegram.pressButton(bot.telegram.id, { from, messageId: methods.messageId, data: buttonData(methods, 's:c:')! });
    const card = await newBotMessage(from.id, methods.messageId - 1, has('C2C-'));
    return { methods, card, tracking: /C2C-\d{6}-[0-9A-Z]{6}/.exec(shown(card))![0] };
  };
  const payment = async (tracking: string) =>
    (
      await platform.query(
        `SELECT p.id, p.status, p.order_id, o.status AS order_status, o.payment_method
           FROM card_to_card_payments p JOIN orders o ON o.id = p.order_id WHERE p.tracking_number = $1`,
        [tracking],
      )
    )[0] as { id: string; status: string; order_id: string; order_status: string; payment_method: string | null };
  const reviewOf = (tracking: string) => waitForBotMessage(OWNER, (m) => has(tracking)(m) && !!buttonData(m, 'rv:a:'));

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: HOSTING_WORKER_ENV,
      jobs: 'detached',
    });
    ({ telegram, platform, ctx } = world);
    bot = await ctx.newBot({ ownerTelegramId: OWNER, walletMinor: 10_000_000, defaultLanguage: 'en' });
    await ctx.newCard(bot.id, { cardHolderName: NASTY.repeat(25) });
    await ctx.newPlan(bot.id, { name: { en: `Month ${NASTY.repeat(23)}` }, priceMinor: 50_000 });
    await ctx.newPlan(bot.id, { name: { en: 'Year' }, priceMinor: 400_000 });
    await world.startWorker(createWorkerApp);
    await telegram.waitForPolling(bot.telegram.id, 15_000);
  });

  afterAll(() => world?.close());

  it("another user's order in forged callback data changes nothing: no card payment, no wallet debit", async () => {
    const buyer = newBuyer();
    const { methods } = await buyByCard(buyer, 'Year');
    const orderCallback = buttonData(methods, 's:c:')!;
    const orderId = (
      await platform.query(`SELECT o.id FROM orders o JOIN users u ON u.id = o.user_id WHERE u.telegram_id = $1`, [
        buyer.id,
      ])
    )[0].id as string;
    const paymentsBefore = await platform.query(`SELECT id FROM card_to_card_payments WHERE order_id = $1`, [orderId]);
    // The buyer can afford the order: a forged wallet tap that reached the payment would succeed, not fail short.
    const buyerRow = async () =>
      (await platform.query(`SELECT id, balance_minor::int AS b FROM users WHERE telegram_id = $1`, [buyer.id]))[0];
    await ctx.deposit(bot.id, (await buyerRow()).id, 1_000_000);

    const stranger = newBuyer('Mallory');
    telegram.sendText(bot.telegram.id, { from: stranger, text: '/buy' });
    const own = await waitForBotMessage(stranger.id, (m) => !!buttonData(m, 's:p:'));
    const strangerRow = async () =>
      (await platform.query(`SELECT id, balance_minor::int AS b FROM users WHERE telegram_id = $1`, [stranger.id]))[0];
    await ctx.deposit(bot.id, (await strangerRow()).id, 1_000_000);
    for (const data of [orderCallback, orderCallback.replace('s:c:', 's:w:')]) {
      const { callbackQueryId } = telegram.pressButton(bot.telegram.id, {
        from: stranger,
        messageId: own.messageId,
        data,
        forged: true,
      });
      await telegram.waitForCallbackAnswer(bot.telegram.id, callbackQueryId, 15_000);
    }
    const after = await platform.query(`SELECT id FROM card_to_card_payments WHERE order_id = $1`, [orderId]);
    expect(after).toEqual(paymentsBefore);
    expect((await platform.query(`SELECT status, payment_method FROM orders WHERE id = $1`, [orderId]))[0]).toEqual({
      status: 'pending',
      payment_method: 'card_to_card',
    });
    expect((await strangerRow()).b).toBe(1_000_000);
    expect((await buyerRow()).b).toBe(1_000_000);
    // Nothing the stranger was shown names the buyer's card payment.
    expect(botMessages(stranger.id).some(has('C2C-'))).toBe(false);
  });

  it('a receipt sent as a reply to a card screen goes to that payment, not the newest one', async () => {
    const buyer = newBuyer();
    const first = await buyByCard(buyer, 'Month');
    telegram.sendPhoto(bot.telegram.id, { from: buyer });
    await reviewOf(first.tracking);
    // While the first receipt is under review the user orders again (that order is kept), then it is rejected.
    const second = await buyByCard(buyer, 'Year');
    const { id: firstId } = await payment(first.tracking);
    await ctx.get(RejectReceiptUseCase).execute({
      botId: bot.id,
      paymentId: firstId,
      actor: Actors.botAdmin(OWNER),
      reason: 'Blurry',
    });
    expect((await payment(first.tracking)).status).toBe('rejected');

    // A photo without a reply: two payments wait, the user is asked which.
    let mark = lastId(buyer.id);
    telegram.sendPhoto(bot.telegram.id, { from: buyer });
    await newBotMessage(buyer.id, mark, has('more than one payment'));
    // The corrected receipt answers the first card screen.
    mark = lastId(buyer.id);
    telegram.sendPhoto(bot.telegram.id, { from: buyer, replyToMessageId: first.card.messageId });
    await newBotMessage(buyer.id, mark, has('under review'));
    expect((await payment(first.tracking)).status).toBe('pending');
    expect((await payment(second.tracking)).status).toBe('awaiting_receipt');
  });

  it("an admin's reply to the review message rejects nothing; a reply to the bot's reason prompt does", async () => {
    // A text receipt: its review is a text message quoting the tracking number, like the reason prompt.
    await ctx.get(ConfigurationsService).set(bot.id, 'receipt_requires_photo', false);
    const buyer = newBuyer();
    const { tracking } = await buyByCard(buyer, 'Year');
    telegram.sendText(bot.telegram.id, { from: buyer, text: 'paid at 10:42 from card 6037' });
    const review = await reviewOf(tracking);
    expect(review.method).toBe('sendMessage');
    let mark = lastId(OWNER);
    telegram.sendText(bot.telegram.id, {
      from: owner,
      text: 'checking with the bank',
      replyToMessageId: review.messageId,
    });
    await telegram.waitForUpdatesConsumed(bot.telegram.id, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    expect((await payment(tracking)).status).toBe('pending');

    telegram.pressButton(bot.telegram.id, {
      from: owner,
      messageId: review.messageId,
      data: buttonData(review, 'rv:j:')!,
    });
    const reasons = await waitForBotMessage(OWNER, (m) => m.messageId === review.messageId && !!buttonData(m, 'rv:t:'));
    telegram.pressButton(bot.telegram.id, {
      from: owner,
      messageId: reasons.messageId,
      data: buttonData(reasons, 'rv:t:')!,
    });
    const prompt = await newBotMessage(OWNER, mark, has('Reply to this message'));
    mark = lastId(OWNER);
    telegram.sendText(bot.telegram.id, { from: owner, text: 'Wrong amount', replyToMessageId: prompt.messageId });
    await waitFor(async () => (await payment(tracking)).status === 'rejected', 15_000);
  });

  it('review captions and text receipts of names made of "<>& are valid, within limits, the warning on top', async () => {
    const buyer = newBuyer(NASTY.repeat(1000));
    const first = await buyByCard(buyer, 'Month');
    const sent = telegram.sendPhoto(bot.telegram.id, { from: buyer });
    await reviewOf(first.tracking);
    const other = newBuyer(NASTY.repeat(1000));
    const second = await buyByCard(other, 'Month');
    // The same photo again: flagged.
    telegram.sendPhoto(bot.telegram.id, { from: other, fileId: sent.fileIds[sent.fileIds.length - 1] });
    const flagged = await reviewOf(second.tracking);
    expect(flagged.method).toBe('sendPhoto');
    expect(flagged.caption!.length).toBeLessThanOrEqual(1024);
    expect(flagged.caption!.split('\n')[0]).toContain('This photo was already used');
    expect(flagged.caption).not.toMatch(/&[a-z#]/);

    await ctx.get(ConfigurationsService).set(bot.id, 'receipt_requires_photo', false);
    const writer = newBuyer(NASTY.repeat(1000));
    const third = await buyByCard(writer, 'Month');
    const mark = lastId(writer.id);
    telegram.sendText(bot.telegram.id, { from: writer, text: NASTY.repeat(1000) });
    await newBotMessage(writer.id, mark, has('under review'));
    const textReview = await reviewOf(third.tracking);
    expect(textReview.method).toBe('sendMessage');
    expect(textReview.text!.length).toBeLessThanOrEqual(4096);
    expect(textReview.text).toMatch(/shortened to fit Telegram\)$/);
    expect(textReview.text).not.toMatch(/&[a-z#]/);
  });
});
