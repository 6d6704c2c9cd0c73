import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { BotSettingsService } from '@botfleet/bots';
import { FeaturesService } from '@botfleet/catalog';
import { TenantRepositories } from '@botfleet/dal';
import { createTestEnv, TelegramEmulator, TestContext, TestEnv } from '@botfleet/testing';
import {
  AddCustomerMessageUseCase,
  CloseTicketUseCase,
  OpenTicketUseCase,
  ReplyToTicketUseCase,
  SupportQueries,
  TicketPosts,
} from '.';

/** Support tickets on the real PostgreSQL and Redis, through the use cases both apps call. */
describe('support tickets (domain)', () => {
  jest.setTimeout(60_000);
  let ctx: TestContext;
  let env: TestEnv;
  let telegram: TelegramEmulator;
  let open: OpenTicketUseCase;
  let add: AddCustomerMessageUseCase;
  let reply: ReplyToTicketUseCase;
  let close: CloseTicketUseCase;
  let queries: SupportQueries;
  let repos: TenantRepositories;

  const codeOf = async (p: Promise<unknown>): Promise<ErrorCode | 'ok'> => {
    try {
      await p;
      return 'ok';
    } catch (e) {
      if (e instanceof DomainError) return e.code;
      throw e;
    }
  };
  const shop = async (config: Record<string, number> = {}) => {
    const bot = await ctx.newBot();
    await ctx.get(FeaturesService).set(bot.id, 'support_tickets', true, config);
    return bot;
  };
  const text = (t: string) => ({ text: t });

  beforeAll(async () => {
    telegram = await TelegramEmulator.start();
    // 20 openings at once queue for pooled connections behind one per-bot lock: on a loaded machine the last
    // ones may wait longer than the production default of 2 s for a connection (a 503 to retry in production).
    env = await createTestEnv({ TELEGRAM_API_ROOT: telegram.url, DATABASE_CONNECT_TIMEOUT_MS: '30000' });
    ctx = await TestContext.create({ env, telegram, jobs: 'detached' });
    open = ctx.get(OpenTicketUseCase);
    add = ctx.get(AddCustomerMessageUseCase);
    reply = ctx.get(ReplyToTicketUseCase);
    close = ctx.get(CloseTicketUseCase);
    queries = ctx.get(SupportQueries);
    repos = ctx.get(TenantRepositories);
  });
  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
    await telegram?.close();
  });

  it('numbers 20 tickets opened at once 1..20, each once', async () => {
    const bot = await shop({ messagesPerMinute: 50, ticketsPerDay: 50 });
    const users = await Promise.all(Array.from({ length: 20 }, () => ctx.newUser(bot.id)));
    const opened = await Promise.all(
      users.map((u, i) => open.execute({ botId: bot.id, userId: u.id, subject: `Q${i}`, content: text(`help ${i}`) })),
    );
    expect(opened.map((o) => o.ticket.number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect((await queries.list(bot.id, { pageSize: 100 })).total).toBe(20);
    expect(await repos.ticketMessages.count(bot.id)).toBe(20);
    // Another bot counts from 1 again.
    const other = await shop();
    const u = await ctx.newUser(other.id);
    const first = await open.execute({ botId: other.id, userId: u.id, subject: 'x', content: text('y') });
    expect(first.ticket.number).toBe(1);
  });

  it('gives a customer one ticket that is not closed, even when they open several at once', async () => {
    const bot = await shop({ messagesPerMinute: 50, ticketsPerDay: 50 });
    const user = await ctx.newUser(bot.id);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        codeOf(open.execute({ botId: bot.id, userId: user.id, subject: `S${i}`, content: text('m') })),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === ErrorCode.CONFLICT)).toHaveLength(4);
    expect(await repos.tickets.count(bot.id, { userId: user.id })).toBe(1);
    const conflict = await open
      .execute({ botId: bot.id, userId: user.id, subject: 'again', content: text('m') })
      .catch((e: DomainError) => e);
    expect((conflict as DomainError).details).toEqual({ ticketNumber: 1 });
  });

  it('moves open → answered → open → closed, and a closed ticket takes nothing more', async () => {
    const bot = await shop();
    const user = await ctx.newUser(bot.id);
    const { ticket } = await open.execute({
      botId: bot.id,
      userId: user.id,
      subject: '  VPN   is slow ',
      content: { text: 'since today', photoFileId: 'photo-file-1' },
    });
    expect(ticket).toMatchObject({ status: 'open', subject: 'VPN is slow', closedAt: null });
    const api = Actors.tenantApi(bot.id);
    const answered = await reply.execute({ botId: bot.id, ticketId: ticket.id, actor: api, content: text('on it') });
    expect(answered.ticket.status).toBe('answered');
    expect(answered.message).toMatchObject({ sender: 'admin', author: `tenant_api:${bot.id}`, text: 'on it' });
    const followed = await add.execute({ botId: bot.id, userId: user.id, content: text('still slow') });
    expect(followed.ticket.status).toBe('open');
    const closed = await close.execute({
      botId: bot.id,
      ticketId: ticket.id,
      by: { kind: 'customer', userId: user.id },
    });
    expect(closed).toMatchObject({ status: 'closed', closedBy: `user:${user.id}` });
    expect(closed.closedAt).toBeInstanceOf(Date);

    const before = await repos.ticketMessages.count(bot.id, { ticketId: ticket.id });
    expect(before).toBe(3);
    expect(await codeOf(reply.execute({ botId: bot.id, ticketId: ticket.id, actor: api, content: text('x') }))).toBe(
      ErrorCode.CONFLICT,
    );
    expect(await codeOf(add.execute({ botId: bot.id, userId: user.id, ticketId: ticket.id, content: text('x') }))).toBe(
      ErrorCode.CONFLICT,
    );
    expect(await codeOf(close.execute({ botId: bot.id, ticketId: ticket.id, by: { kind: 'admin', actor: api } }))).toBe(
      ErrorCode.CONFLICT,
    );
    expect(await repos.ticketMessages.count(bot.id, { ticketId: ticket.id })).toBe(before);
    const messages = await queries.messages(bot.id, ticket.id);
    expect(messages.items.map((m) => [m.sender, m.text, m.photoFileId])).toEqual([
      ['user', 'since today', 'photo-file-1'],
      ['admin', 'on it', null],
      ['user', 'still slow', null],
    ]);
    // After closing, the customer may open a new one: the next number.
    const next = await open.execute({ botId: bot.id, userId: user.id, subject: 'new', content: text('m') });
    expect(next.ticket.number).toBe(ticket.number + 1);
  });

  it('answers once for one idempotency key, however often (and however concurrently) the answer is retried', async () => {
    const bot = await shop();
    const user = await ctx.newUser(bot.id);
    const { ticket } = await open.execute({ botId: bot.id, userId: user.id, subject: 's', content: text('m') });
    const api = Actors.tenantApi(bot.id);
    const again = () =>
      reply.execute({ botId: bot.id, ticketId: ticket.id, actor: api, content: text('on it'), idempotencyKey: 'k-1' });
    const answers = await Promise.all([again(), again(), again()]);
    expect(new Set(answers.map((a) => a.message.id)).size).toBe(1);
    expect((await again()).message.id).toBe(answers[0].message.id);
    expect(await repos.ticketMessages.count(bot.id, { ticketId: ticket.id, sender: 'admin' })).toBe(1);
    // The key is the database's to keep, not the ticket lock's alone: a second answer row with the same key is
    // refused by the unique index whatever wrote it (a path that skipped the lock), and a retry still finds the first.
    await expect(
      repos.ticketMessages.insert(bot.id, {
        ticketId: ticket.id,
        sender: 'admin',
        senderTelegramId: null,
        text: 'twice',
        photoFileId: null,
        author: null,
        adminChatId: null,
        adminMessageId: null,
        idempotencyKey: 'k-1',
      }),
    ).rejects.toThrow(/ticket_messages_idempotency_key_uq|duplicate key/);
    expect((await again()).message.id).toBe(answers[0].message.id);
    expect(await repos.ticketMessages.count(bot.id, { ticketId: ticket.id, sender: 'admin' })).toBe(1);
    // A key too long for the column is refused by name and writes nothing.
    expect(
      await codeOf(
        reply.execute({
          botId: bot.id,
          ticketId: ticket.id,
          actor: api,
          content: text('x'),
          idempotencyKey: 'k'.repeat(101),
        }),
      ),
    ).toBe(ErrorCode.VALIDATION_FAILED);
    expect(await repos.ticketMessages.count(bot.id, { ticketId: ticket.id, sender: 'admin' })).toBe(1);
    // Another key is another answer.
    await reply.execute({
      botId: bot.id,
      ticketId: ticket.id,
      actor: api,
      content: text('more'),
      idempotencyKey: 'k-2',
    });
    expect(await repos.ticketMessages.count(bot.id, { ticketId: ticket.id, sender: 'admin' })).toBe(2);
  });

  it('closes once when both sides close at the same moment', async () => {
    const bot = await shop();
    const user = await ctx.newUser(bot.id);
    const { ticket } = await open.execute({ botId: bot.id, userId: user.id, subject: 's', content: text('m') });
    const results = await Promise.all([
      codeOf(close.execute({ botId: bot.id, ticketId: ticket.id, by: { kind: 'customer', userId: user.id } })),
      codeOf(
        close.execute({ botId: bot.id, ticketId: ticket.id, by: { kind: 'admin', actor: Actors.tenantApi(bot.id) } }),
      ),
    ]);
    expect(results.sort()).toEqual([ErrorCode.CONFLICT, 'ok'].sort());
  });

  it('lets only admins whose role handles tickets answer and close, and audits what they do', async () => {
    const owner = 7_100_001;
    const bot = await ctx.newBot({ ownerTelegramId: owner });
    await ctx.get(FeaturesService).set(bot.id, 'support_tickets', true);
    const supportAgent = 7_100_002;
    await ctx
      .get(BotSettingsService)
      .setAdminRoles(bot.id, [{ telegramId: supportAgent, role: 'support' }], Actors.tenantApi(bot.id));
    const user = await ctx.newUser(bot.id);
    const { ticket } = await open.execute({ botId: bot.id, userId: user.id, subject: 's', content: text('m') });

    const stranger = Actors.botAdmin(7_100_999);
    expect(
      await codeOf(reply.execute({ botId: bot.id, ticketId: ticket.id, actor: stranger, content: text('x') })),
    ).toBe(ErrorCode.FORBIDDEN);
    expect(
      await codeOf(close.execute({ botId: bot.id, ticketId: ticket.id, by: { kind: 'admin', actor: stranger } })),
    ).toBe(ErrorCode.FORBIDDEN);
    expect(
      await codeOf(
        reply.execute({ botId: bot.id, ticketId: ticket.id, actor: Actors.system('job'), content: text('x') }),
      ),
    ).toBe(ErrorCode.FORBIDDEN);
    expect(await repos.ticketMessages.count(bot.id, { ticketId: ticket.id })).toBe(1);

    const agent = Actors.botAdmin(supportAgent);
    const answered = await reply.execute({
      botId: bot.id,
      ticketId: ticket.id,
      actor: agent,
      content: text('hello'),
      adminPost: { chatId: -100500, messageId: 77 },
    });
    expect(answered.message).toMatchObject({
      senderTelegramId: supportAgent,
      adminChatId: -100500,
      adminMessageId: 77,
    });
    await close.execute({ botId: bot.id, ticketId: ticket.id, by: { kind: 'admin', actor: agent } });
    const audit = await repos.auditLogs.find(bot.id, { where: { targetId: ticket.id }, order: { createdAt: 'ASC' } });
    expect(audit.map((a) => [a.action, a.actorType, a.actorId])).toEqual([
      ['ticket.reply', 'bot_admin', String(supportAgent)],
      ['ticket.close', 'bot_admin', String(supportAgent)],
    ]);
  });

  it('routes an admin chat message to its ticket only inside its own bot', async () => {
    const bot = await shop();
    const other = await shop();
    const user = await ctx.newUser(bot.id);
    const { ticket, message } = await open.execute({
      botId: bot.id,
      userId: user.id,
      subject: 's',
      content: text('m'),
    });
    const posts = ctx.get(TicketPosts);
    await posts.recordCard(bot.id, ticket.id, -1001, 10);
    await posts.recordMessage(bot.id, message.id, -1001, 11);
    // Recorded once: a retried job does not move the card.
    await posts.recordCard(bot.id, ticket.id, -1001, 99);
    expect((await queries.ticketByAdminPost(bot.id, -1001, 10))?.id).toBe(ticket.id);
    expect((await queries.ticketByAdminPost(bot.id, -1001, 11))?.id).toBe(ticket.id);
    expect(await queries.ticketByAdminPost(bot.id, -1001, 99)).toBeNull();
    expect(await queries.ticketByAdminPost(other.id, -1001, 10)).toBeNull();
    // Another bot's tenant or customer does not find it.
    expect(
      await codeOf(
        reply.execute({ botId: other.id, ticketId: ticket.id, actor: Actors.tenantApi(other.id), content: text('x') }),
      ),
    ).toBe(ErrorCode.NOT_FOUND);
    const intruder = await ctx.newUser(bot.id);
    expect(
      await codeOf(
        close.execute({ botId: bot.id, ticketId: ticket.id, by: { kind: 'customer', userId: intruder.id } }),
      ),
    ).toBe(ErrorCode.NOT_FOUND);
    expect(
      await codeOf(add.execute({ botId: bot.id, userId: intruder.id, ticketId: ticket.id, content: text('x') })),
    ).toBe(ErrorCode.NOT_FOUND);
    expect((await queries.get(bot.id, ticket.id)).status).toBe('open');
  });

  it('limits a customer: messages per minute and tickets per day, refusing without writing', async () => {
    const bot = await shop({ messagesPerMinute: 3, ticketsPerDay: 1 });
    const user = await ctx.newUser(bot.id);
    // One moment in the middle of a minute and of a day: the windows cannot turn during the test.
    const now = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 + 43_230_000);
    const { ticket } = await open.execute({ botId: bot.id, userId: user.id, subject: 's', content: text('1'), now });
    await add.execute({ botId: bot.id, userId: user.id, content: text('2'), now });
    await add.execute({ botId: bot.id, userId: user.id, content: text('3'), now });
    const refused = await add.execute({ botId: bot.id, userId: user.id, content: text('4'), now }).catch((e) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe(ErrorCode.RATE_LIMITED);
    expect((refused as DomainError).details).toEqual({ retryAfterSeconds: expect.any(Number) });
    expect(await repos.ticketMessages.count(bot.id, { ticketId: ticket.id })).toBe(3);
    // Hammering at once: still nothing more is written.
    await Promise.all(
      Array.from({ length: 10 }, () =>
        codeOf(add.execute({ botId: bot.id, userId: user.id, content: text('x'), now })),
      ),
    );
    expect(await repos.ticketMessages.count(bot.id, { ticketId: ticket.id })).toBe(3);
    // Another customer of the same bot is not affected.
    const other = await ctx.newUser(bot.id);
    await open.execute({ botId: bot.id, userId: other.id, subject: 's', content: text('1'), now });

    await close.execute({ botId: bot.id, ticketId: ticket.id, by: { kind: 'customer', userId: user.id } });
    expect(
      await codeOf(open.execute({ botId: bot.id, userId: user.id, subject: 's', content: text('again'), now })),
    ).toBe(ErrorCode.RATE_LIMITED);
    expect(await repos.tickets.count(bot.id, { userId: user.id })).toBe(1);
  });

  it('refuses bad input and a shop without tickets, changing nothing', async () => {
    const bot = await shop();
    const user = await ctx.newUser(bot.id);
    const cases = [
      { subject: '   ', content: text('m') },
      { subject: 'x'.repeat(201), content: text('m') },
      { subject: 's', content: text('  ') },
      { subject: 's', content: text('y'.repeat(4001)) },
    ];
    for (const c of cases) {
      expect(await codeOf(open.execute({ botId: bot.id, userId: user.id, ...c }))).toBe(ErrorCode.VALIDATION_FAILED);
    }
    expect(await repos.tickets.count(bot.id)).toBe(0);
    // NUL cannot be stored: it is dropped.
    const { message } = await open.execute({
      botId: bot.id,
      userId: user.id,
      subject: 'a\u0000b',
      content: text('c\u0000d'),
    });
    expect(message.text).toBe('cd');

    const off = await ctx.newBot();
    const offUser = await ctx.newUser(off.id);
    expect(await codeOf(open.execute({ botId: off.id, userId: offUser.id, subject: 's', content: text('m') }))).toBe(
      ErrorCode.FEATURE_NOT_ALLOWED,
    );
    expect(await repos.tickets.count(off.id)).toBe(0);
  });
});
