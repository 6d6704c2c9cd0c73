import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ConsoleLinksService } from '@botfleet/bots';
import { FeaturesService } from '@botfleet/catalog';
import { ErrorCode } from '@botfleet/common';
import { OpenTicketUseCase } from '@botfleet/support';
import { sessionCookie, TestBot, TestContext, TestEnv, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(60_000);

type Method = 'get' | 'post';

/**
 * The refusals of the ticket routes on the real API, PostgreSQL and Redis: a support agent's console session
 * handles its own bot's tickets and nothing past its role; a write without the CSRF token, a removed admin and a
 * suspended bot are refused; another bot's ticket id is 404 on every ticket route, for a token or a session, on
 * either bot's path — and none of these refusals writes anything.
 */
describe('ticket routes: who is refused (API in-process, real PostgreSQL/Redis)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let app: INestApplication;
  let world: WorkerWorld;
  let links: ConsoleLinksService;
  let a: TestBot;
  let b: TestBot;
  let ip = 0;
  const agent = 882_000_001;
  const http = () => request(app.getHttpServer());
  const bearer = (bot: TestBot) => ({ Authorization: `Bearer ${bot.apiToken}` });

  const signIn = async (botId: string, telegramId: number) => {
    const { code } = await links.issueForAdmin(botId, telegramId);
    const res = await http().post('/v1/sessions').set('X-Forwarded-For', `10.78.0.${++ip}`).send({ code }).expect(201);
    return { cookie: sessionCookie(res), csrf: res.body.csrfToken as string };
  };
  const setRoles = (bot: TestBot, admins: { telegramId: number; role: string }[]) =>
    http().put(`/v1/bots/${bot.id}/admins`).set(bearer(bot)).send({ admins }).expect(200);
  /** A customer of the bot opens a ticket (the use case the bot calls). */
  const newTicket = async (bot: TestBot) => {
    const user = await ctx.newUser(bot.id);
    const { ticket } = await ctx.get(OpenTicketUseCase).execute({
      botId: bot.id,
      userId: user.id,
      subject: 'Help',
      content: { text: 'It does not connect' },
    });
    return ticket.id;
  };
  /** What the ticket's own shop sees of it: status, messages and audit entries. */
  const stateOf = async (bot: TestBot, ticketId: string) => {
    const detail = (await http().get(`/v1/bots/${bot.id}/tickets/${ticketId}`).set(bearer(bot)).expect(200)).body;
    const audit = await http().get(`/v1/bots/${bot.id}/audit-log?pageSize=100`).set(bearer(bot)).expect(200);
    const items: { targetId: string | null }[] = audit.body.items;
    return {
      status: detail.status as string,
      messages: (detail.messages as { text: string }[]).map((m) => m.text),
      audited: items.filter((e) => e.targetId === ticketId).length,
    };
  };
  /** Every ticket route for one ticket id under one bot's path. */
  const ticketRoutes = (botId: string, ticketId: string): [Method, string, object?][] => [
    ['get', `/v1/bots/${botId}/tickets/${ticketId}`],
    ['get', `/v1/bots/${botId}/tickets/${ticketId}/messages`],
    ['post', `/v1/bots/${botId}/tickets/${ticketId}/messages`, { text: 'Not yours' }],
    ['post', `/v1/bots/${botId}/tickets/${ticketId}/close`, {}],
  ];

  beforeAll(async () => {
    world = await WorkerWorld.start({ jobs: 'detached', createWorker: createApiApp });
    ({ env, ctx } = world);
    app = world.worker;
    links = app.get(ConsoleLinksService, { strict: false });
    a = await ctx.newBot({ name: 'Shop A' });
    b = await ctx.newBot({ name: 'Shop B' });
    for (const bot of [a, b]) await ctx.get(FeaturesService).set(bot.id, 'support_tickets', true);
  });

  afterAll(() => world?.close());

  it("a support agent's session handles its bot's tickets, only with the CSRF token to write, and nothing past its role", async () => {
    const ticketId = await newTicket(a);
    await setRoles(a, [{ telegramId: agent, role: 'support' }]);
    const s = await signIn(a.id, agent);
    const list = await http().get(`/v1/bots/${a.id}/tickets`).set('Cookie', s.cookie).expect(200);
    expect(list.body.items.map((t: { id: string }) => t.id)).toContain(ticketId);
    await http().get(`/v1/bots/${a.id}/tickets/${ticketId}`).set('Cookie', s.cookie).expect(200);
    await http().get(`/v1/bots/${a.id}/tickets/${ticketId}/messages`).set('Cookie', s.cookie).expect(200);

    // A write without the session's CSRF token (a forged cross-site request) is refused and writes nothing.
    const before = await stateOf(a, ticketId);
    for (const [method, path, body] of ticketRoutes(a.id, ticketId).filter(([m]) => m === 'post')) {
      const res = await http()[method](path).set('Cookie', s.cookie).send(body);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 403,
        code: ErrorCode.CSRF_FAILED,
      });
    }
    expect(await stateOf(a, ticketId)).toEqual(before);

    // Past its role (tickets and customer lookup): the shop's money, broadcasts, admins and settings are 403.
    for (const [method, path, body] of [
      ['get', `/v1/bots/${a.id}/wallet/ledger`, undefined],
      ['post', `/v1/bots/${a.id}/broadcasts`, { text: 'Sale!' }],
      ['put', `/v1/bots/${a.id}/admins`, { admins: [{ telegramId: agent, role: 'owner' }] }],
      ['put', `/v1/bots/${a.id}/features/support_tickets`, { enabled: false }],
      ['get', `/v1/bots/${a.id}/audit-log`, undefined],
    ] as const) {
      const res = await http()[method](path).set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf).send(body);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 403,
        code: ErrorCode.FORBIDDEN,
      });
    }
    const me = await http().get('/v1/sessions/current').set('Cookie', s.cookie).expect(200);
    expect(me.body.session.role).toBe('support');
    expect(await ctx.get(FeaturesService).isEnabled(a.id, 'support_tickets')).toBe(true);

    // With the token, the agent answers and closes; the audit names them.
    const answered = await http()
      .post(`/v1/bots/${a.id}/tickets/${ticketId}/messages`)
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrf)
      .send({ text: 'Try the other server' })
      .expect(201);
    expect(answered.body).toMatchObject({ sender: 'admin', author: `bot_admin:${agent}` });
    await http()
      .post(`/v1/bots/${a.id}/tickets/${ticketId}/close`)
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrf)
      .expect(200);
    expect(await stateOf(a, ticketId)).toEqual({
      status: 'closed',
      messages: ['It does not connect', 'Try the other server'],
      audited: 2,
    });
  });

  it('a removed agent is signed out of the ticket routes, and a suspended bot takes no ticket writes', async () => {
    const ticketId = await newTicket(a);
    await setRoles(a, [{ telegramId: agent, role: 'support' }]);
    const s = await signIn(a.id, agent);
    await http().get(`/v1/bots/${a.id}/tickets/${ticketId}`).set('Cookie', s.cookie).expect(200);
    const before = await stateOf(a, ticketId);

    // Suspended by the platform: the agent and the shop's token still read, but neither answers nor closes.
    await http()
      .post(`/v1/admin/bots/${a.id}/suspend`)
      .set('Authorization', `Bearer ${env.masterToken}`)
      .send({ reason: 'unpaid' })
      .expect((res) => expect(res.status).toBeLessThan(300));
    await http().get(`/v1/bots/${a.id}/tickets/${ticketId}`).set('Cookie', s.cookie).expect(200);
    for (const [method, path, body] of ticketRoutes(a.id, ticketId).filter(([m]) => m === 'post')) {
      for (const who of [{ Cookie: s.cookie, 'X-CSRF-Token': s.csrf }, bearer(a)]) {
        const res = await http()[method](path).set(who).send(body);
        expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
          path,
          status: 403,
          code: ErrorCode.BOT_SUSPENDED,
        });
      }
    }
    await http()
      .post(`/v1/admin/bots/${a.id}/resume`)
      .set('Authorization', `Bearer ${env.masterToken}`)
      .send({})
      .expect((res) => expect(res.status).toBeLessThan(300));
    expect(await stateOf(a, ticketId)).toEqual(before);

    // Removed from the admins: the session ends on every ticket route, and nothing is written.
    await setRoles(a, []);
    for (const [method, path, body] of ticketRoutes(a.id, ticketId)) {
      const res = await http()[method](path).set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf).send(body);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
    await http().get(`/v1/bots/${a.id}/tickets`).set('Cookie', s.cookie).expect(401);
    expect(await stateOf(a, ticketId)).toEqual(before);
  });

  it("another bot's ticket id is 404 on every ticket route, for a token or a session, and nothing changes", async () => {
    const theirs = await newTicket(b);
    const ours = await newTicket(a);
    await setRoles(a, [{ telegramId: agent, role: 'support' }]);
    const agentSession = await signIn(a.id, agent);
    const ownerSession = await signIn(a.id, a.ownerTelegramId);
    const before = await stateOf(b, theirs);
    const callers: [string, Record<string, string>][] = [
      ["A's token", bearer(a)],
      ["A's support agent", { Cookie: agentSession.cookie, 'X-CSRF-Token': agentSession.csrf }],
      ["A's owner", { Cookie: ownerSession.cookie, 'X-CSRF-Token': ownerSession.csrf }],
    ];
    for (const [who, headers] of callers) {
      // B's ticket under A's path (the id is not A's), and under B's path (the bot is not theirs).
      for (const [method, path, body] of [...ticketRoutes(a.id, theirs), ...ticketRoutes(b.id, theirs)]) {
        const res = await http()[method](path).set(headers).send(body);
        expect({ who, path, status: res.status, code: res.body.error?.code }).toEqual({
          who,
          path,
          status: 404,
          code: ErrorCode.NOT_FOUND,
        });
      }
      await http().get(`/v1/bots/${b.id}/tickets`).set(headers).expect(404);
      const listed = await http().get(`/v1/bots/${a.id}/tickets`).set(headers).expect(200);
      const ids = listed.body.items.map((t: { id: string }) => t.id);
      expect(ids).toContain(ours);
      expect(ids).not.toContain(theirs);
    }
    // B's ticket is as it was: open, its one message, nothing audited; and A's own ticket was not touched either.
    expect(await stateOf(b, theirs)).toEqual(before);
    expect(before).toEqual({ status: 'open', messages: ['It does not connect'], audited: 0 });
    expect(await stateOf(a, ours)).toEqual({ status: 'open', messages: ['It does not connect'], audited: 0 });
  });
});
