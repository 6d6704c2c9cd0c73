import { BotSettingsService } from '@botfleet/bots';
import { Actors } from '@botfleet/common';
import { OpenTicketUseCase, SupportQueries } from '@botfleet/support';
import {
  buttonData,
  buttonsOf,
  OpenTicket,
  QUICK_BOT_LEASES,
  TelegramEmulator,
  TestContext,
  waitFor,
  WorkerWorld,
} from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

type Msg = ReturnType<TelegramEmulator['getChatMessages']>[number];
type From = { id: number; first_name: string; language_code: string };

const AGENT = 935_002;
const shown = (m: Msg): string => m.text ?? m.caption ?? '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The tickets section of the bot's /admin as a shop owner meets it in Telegram: a real worker hosts the bot
 * against the Telegram emulator, on real PostgreSQL and Redis. Six tickets wait (two pages of five); the oldest,
 * #1, is the one answered and closed.
 */
describe('tickets in /admin (worker, Telegram emulator, PostgreSQL, Redis)', () => {
  jest.setTimeout(120_000);

  let world: WorkerWorld;
  let telegram: TelegramEmulator;
  let ctx: TestContext;
  let first: OpenTicket;
  let owner: From;
  let customer: From;
  const agent: From = { id: AGENT, first_name: 'Agent', language_code: 'en' };

  const botTg = () => first.bot.telegram.id;
  const botMessages = (chatId: number) =>
    telegram.getChatMessages(botTg(), chatId).filter((m) => m.direction === 'bot');
  const lastId = (chatId: number) =>
    telegram.getChatMessages(botTg(), chatId).reduce((n, m) => Math.max(n, m.messageId), 0);
  const waitForBot = (chatId: number, match: (m: Msg) => boolean, timeoutMs = 20_000) =>
    waitFor(() => botMessages(chatId).find(match), timeoutMs);
  const press = (from: From, message: Msg, data: string, forged = false) =>
    telegram.pressButton(botTg(), { from, messageId: message.messageId, data, forged });
  const answerOf = (pressed: { callbackQueryId: string }) =>
    telegram.waitForCallbackAnswer(botTg(), pressed.callbackQueryId, 20_000);
  /** Presses a button and waits for the screen it shows in place of the message. */
  const tap = async (from: From, message: Msg, data: string, until: (m: Msg) => boolean) => {
    await answerOf(press(from, message, data));
    return waitForBot(from.id, (m) => m.messageId === message.messageId && until(m));
  };
  const ticketsCommand = async (from: From) => {
    const after = lastId(from.id);
    telegram.sendText(botTg(), { from, text: '/tickets' });
    return waitForBot(from.id, (m) => m.messageId > after && shown(m).includes('Tickets waiting'));
  };
  const ticketButtons = (m: Msg) => buttonsOf(m).filter((b) => b.callback_data?.startsWith('ad:kv:'));
  const customerTold = (match: string) => botMessages(customer.id).filter((m) => shown(m).includes(match));

  beforeAll(async () => {
    world = await WorkerWorld.start({ env: { ...QUICK_BOT_LEASES, BOT_POLL_TIMEOUT_S: '1' } });
    ({ telegram, ctx } = world);
    first = await ctx.newOpenTicket({ status: 'active', subject: 'No internet', text: 'The VPN is down since noon' });
    owner = { id: first.bot.ownerTelegramId, first_name: 'Owner', language_code: 'en' };
    customer = { id: first.customer.telegramId, first_name: 'U', language_code: 'en' };
    await ctx.get(BotSettingsService).setAdminRoles(
      first.bot.id,
      [
        { telegramId: owner.id, role: 'owner' },
        { telegramId: AGENT, role: 'support' },
      ],
      Actors.tenantApi(first.bot.id),
    );
    // Five more customers write in after #1: two pages of tickets, #1 (the oldest activity) on the second.
    for (let i = 2; i <= 6; i++) {
      const user = await ctx.newUser(first.bot.id, { firstName: `Buyer${i}` });
      await ctx.get(OpenTicketUseCase).execute({
        botId: first.bot.id,
        userId: user.id,
        subject: `Question ${i}`,
        content: { text: `Message ${i}` },
      });
    }
    await world.startWorker(createWorkerApp);
    await telegram.waitForPolling(botTg(), 15_000);
  });

  afterAll(() => world?.close());

  it('the owner pages the list, opens #1, answers it (the customer gets it once) and closes it (the customer is told)', async () => {
    const menuAfter = lastId(owner.id);
    telegram.sendText(botTg(), { from: owner, text: '/admin' });
    const menu = await waitForBot(owner.id, (m) => m.messageId > menuAfter && !!buttonData(m, 'ad:k:1'));
    expect(buttonsOf(menu).find((b) => b.callback_data === 'ad:k:1')?.text).toBe('🎫 Tickets');

    const page1 = await ticketsCommand(owner);
    expect(shown(page1)).toContain('6 (page 1 of 2)');
    const rows1 = ticketButtons(page1).map((b) => b.text);
    expect(rows1).toHaveLength(5);
    // Newest activity first; each row: #number · name · subject · state.
    expect(rows1[0]).toBe('#6 · Buyer6 · Question 6 · waiting for support');
    expect(rows1.join('\n')).not.toContain('#1 ');
    expect(buttonData(page1, 'ad:k:2')).toBeDefined();

    const page2 = await tap(owner, page1, 'ad:k:2', (m) => shown(m).includes('page 2 of 2'));
    const rows2 = ticketButtons(page2);
    expect(rows2).toHaveLength(1);
    expect(rows2[0].text).toMatch(/^#1 · \S+ · No internet · waiting for support$/);
    expect(buttonData(page2, 'ad:k:1')).toBeDefined();

    const view = await tap(owner, page2, rows2[0].callback_data!, (m) => shown(m).includes('Ticket #1'));
    expect(shown(view)).toContain('The VPN is down since noon');
    const answerAsk = buttonData(view, 'ad:ka:')!;
    const closeAsk = buttonData(view, 'ad:kc:')!;
    expect(answerAsk).toBeDefined();

    const promptAfter = lastId(owner.id);
    await answerOf(press(owner, view, answerAsk));
    await waitForBot(owner.id, (m) => m.messageId > promptAfter && shown(m).includes('Write the answer to ticket #1'));
    telegram.sendText(botTg(), { from: owner, text: 'Please reinstall the app, then try again.' });
    await waitForBot(owner.id, (m) => m.messageId > promptAfter && shown(m).includes('Sent to the customer (#1)'));
    await waitFor(() => customerTold('Please reinstall the app').length > 0, 20_000);
    expect(shown(customerTold('Please reinstall the app')[0])).toContain('answered your ticket #1');
    expect((await ctx.get(SupportQueries).get(first.bot.id, first.ticket.id)).status).toBe('answered');

    const confirm = await tap(owner, view, closeAsk, (m) => shown(m).includes('Close ticket #1?'));
    const done = await answerOf(press(owner, confirm, buttonData(confirm, 'ad:kC:')!));
    expect(done.text).toBe('✅ Done.');
    await waitFor(() => customerTold('closed your ticket #1').length > 0, 20_000);
    expect((await ctx.get(SupportQueries).get(first.bot.id, first.ticket.id)).status).toBe('closed');

    // The same Close again (a double tap, a stale screen): said so, the customer is not told twice.
    const again = await answerOf(press(owner, confirm, buttonData(confirm, 'ad:kC:')!, true));
    expect(again).toMatchObject({ showAlert: true, text: 'This ticket is closed.' });
    await sleep(1500);
    expect(customerTold('Please reinstall the app')).toHaveLength(1);
    expect(customerTold('closed your ticket #1')).toHaveLength(1);

    // Closed tickets leave the list: five wait, one page.
    expect(shown(await ticketsCommand(owner))).toContain('5 (page 1 of 1)');
  });

  it('a support agent lists, opens and answers a ticket', async () => {
    const list = await ticketsCommand(agent);
    const row = ticketButtons(list).find((b) => b.text.startsWith('#6 '))!;
    const view = await tap(agent, list, row.callback_data!, (m) => shown(m).includes('Ticket #6'));
    expect(shown(view)).toContain('Message 6');
    const after = lastId(agent.id);
    await answerOf(press(agent, view, buttonData(view, 'ad:ka:')!));
    await waitForBot(agent.id, (m) => m.messageId > after && shown(m).includes('Write the answer to ticket #6'));
    telegram.sendText(botTg(), { from: agent, text: 'Looking into it.' });
    await waitForBot(agent.id, (m) => m.messageId > after && shown(m).includes('Sent to the customer (#6)'));
    const six = (await ctx.get(SupportQueries).list(first.bot.id, { pageSize: 50 })).items.find((t) => t.number === 6)!;
    expect(six.status).toBe('answered');
    const thread = await ctx.get(SupportQueries).lastMessages(first.bot.id, six.id, 5);
    expect(thread.map((m) => [m.sender, m.text])).toEqual([
      ['user', 'Message 6'],
      ['admin', 'Looking into it.'],
    ]);
  });

  it('a customer gets no ticket list: /tickets is not theirs and a forged tap is refused', async () => {
    const after = lastId(customer.id);
    telegram.sendText(botTg(), { from: customer, text: '/tickets' });
    await waitFor(() => telegram.getPendingUpdates(botTg()).length === 0, 20_000);
    await sleep(1500);
    const forged = await answerOf(
      telegram.pressButton(botTg(), { from: customer, messageId: after, data: 'ad:k:1', forged: true }),
    );
    expect(forged.text).toBe('This is not available.');
    // The same tap from the owner opens the list: the refusal is the customer's, not a missing button.
    const ownerAfter = lastId(owner.id);
    await answerOf(telegram.pressButton(botTg(), { from: owner, messageId: ownerAfter, data: 'ad:k:1', forged: true }));
    await waitForBot(owner.id, (m) => m.messageId === ownerAfter && shown(m).includes('Tickets waiting'));
    await sleep(500);
    const seen = botMessages(customer.id).filter((m) => m.messageId > after);
    expect(seen.some((m) => shown(m).includes('Tickets waiting') || !!buttonData(m, 'ad:kv:'))).toBe(false);
  });
});
