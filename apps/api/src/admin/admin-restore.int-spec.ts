import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ConsoleLinksService } from '@botfleet/bots';
import { ConsoleSessionsRepository } from '@botfleet/platform';
import { OpenTicket, TestBot, TestContext, TestEnv, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(180_000);

const OPERATOR_TG = 771_000_031;

const sessionCookie = (res: request.Response): string =>
  ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('bf_session='))!
    .split(';')[0];

interface AuditEntry {
  action: string;
  actor: string;
  bot?: { id: string } | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * `POST /v1/admin/bots/{botId}/restore`: a bot its owner deleted (through `DELETE /v1/bots/{botId}`) comes back
 * paused with its customers, wallets, subscriptions, tickets and plans; its API token stays revoked and its console
 * sessions end; both audit logs say so. Refused when the bot is not deleted, when another live tenant holds its
 * Telegram bot (naming it), for a tenant's token, and for the second of two restores at once. Real API, PostgreSQL
 * and Redis.
 */
describe('POST /v1/admin/bots/{botId}/restore (API in-process, real PostgreSQL/Redis)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let app: INestApplication;
  let world: WorkerWorld;
  let ip = 0;
  const http = () => request(app.getHttpServer());
  const master = () => `Bearer ${env.masterToken}`;
  const as = (auth: string) => ({
    get: (path: string) =>
      http()
        .get(path)
        .set('Authorization', auth)
        .set('X-Forwarded-For', `10.66.0.${++ip % 250}`),
    post: (path: string) =>
      http()
        .post(path)
        .set('Authorization', auth)
        .set('X-Forwarded-For', `10.66.0.${++ip % 250}`),
    patch: (path: string) =>
      http()
        .patch(path)
        .set('Authorization', auth)
        .set('X-Forwarded-For', `10.66.0.${++ip % 250}`),
    delete: (path: string) =>
      http()
        .delete(path)
        .set('Authorization', auth)
        .set('X-Forwarded-For', `10.66.0.${++ip % 250}`),
  });
  const restore = (botId: string, auth = master()) => as(auth).post(`/v1/admin/bots/${botId}/restore`).send({});
  const deleteByOwner = (bot: TestBot) => as(`Bearer ${bot.apiToken}`).delete(`/v1/bots/${bot.id}`).expect(204);
  const operatorLog = async (botId: string): Promise<AuditEntry[]> =>
    (await as(master()).get(`/v1/admin/audit-log?botId=${botId}&action=bot.restored`).expect(200)).body.items;
  const tenantLog = async (botId: string): Promise<AuditEntry[]> =>
    (await as(master()).get(`/v1/bots/${botId}/audit-log?pageSize=100`).expect(200)).body.items;

  /** A shop with one customer who has money in their wallet, a subscription and an open ticket. */
  const newShop = async (): Promise<OpenTicket & { subscriptionId: string; planId: string }> => {
    const shop = await ctx.newOpenTicket({ status: 'paused' });
    const paid = await ctx.newPaidOrder(shop.bot.id, { userId: shop.customer.id });
    await ctx.deposit(shop.bot.id, shop.customer.id, 7_000);
    // Deleted while it runs.
    await as(master()).patch(`/v1/bots/${shop.bot.id}`).send({ status: 'active' }).expect(200);
    return { ...shop, subscriptionId: paid.subscriptionId, planId: paid.planId };
  };

  beforeAll(async () => {
    world = await WorkerWorld.start({
      panels: ['remnawave'],
      jobs: 'detached',
      createWorker: createApiApp,
      env: { MASTER_ADMIN_TELEGRAM_IDS: String(OPERATOR_TG) },
    });
    ({ env, ctx } = world);
    app = world.worker;
    await world.newRemnawavePanel();
  });

  afterAll(() => world?.close());

  it('brings a deleted bot back paused with its customers, wallets, subscriptions, tickets and plans; audited both sides', async () => {
    const { bot, customer, ticket, subscriptionId, planId } = await newShop();
    const path = `/v1/bots/${bot.id}`;
    const walletBefore = (await as(master()).get(`${path}/wallet`).expect(200)).body;
    const customerWalletBefore = (await as(master()).get(`${path}/users/${customer.id}/wallet`).expect(200)).body;
    expect(customerWalletBefore.balanceMinor).toBe(7_000);
    // The owner's console session, open when the bot is deleted.
    const { code } = await app.get(ConsoleLinksService, { strict: false }).issueForAdmin(bot.id, bot.ownerTelegramId);
    const signIn = await http().post('/v1/sessions').set('X-Forwarded-For', '10.66.1.1').send({ code }).expect(201);
    const cookie = sessionCookie(signIn);

    await deleteByOwner(bot);
    await as(master()).get(path).expect(404);

    const res = await restore(bot.id).expect(200);
    expect(res.body).toMatchObject({ id: bot.id, status: 'paused', apiTokenPrefix: null });
    expect(JSON.stringify(res.body)).not.toContain(bot.telegram.token);

    const current = (await as(master()).get(path).expect(200)).body;
    expect(current).toMatchObject({ status: 'paused', walletBalanceMinor: walletBefore.balanceMinor });
    expect((await as(master()).get(`${path}/users`).expect(200)).body.items.map((u: { id: string }) => u.id)).toEqual([
      customer.id,
    ]);
    expect((await as(master()).get(`${path}/users/${customer.id}/wallet`).expect(200)).body.balanceMinor).toBe(7_000);
    expect((await as(master()).get(`${path}/wallet`).expect(200)).body).toEqual(walletBefore);
    const subs = (await as(master()).get(`${path}/subscriptions`).expect(200)).body.items;
    expect(subs.map((s: { id: string }) => s.id)).toEqual([subscriptionId]);
    const tickets = (await as(master()).get(`${path}/tickets`).expect(200)).body.items;
    expect(tickets.map((t: { id: string }) => t.id)).toEqual([ticket.id]);
    const plans = (await as(master()).get(`${path}/plans`).expect(200)).body;
    expect((plans.items ?? plans).map((p: { id: string }) => p.id)).toContain(planId);

    // The API token the bot had before its deletion stays dead; a rotation issues a new one that works.
    await as(`Bearer ${bot.apiToken}`).get(path).expect(401);
    const rotated = await as(master()).post(`${path}/api-token/rotate`).send({}).expect(200);
    await as(`Bearer ${rotated.body.apiToken}`).get(path).expect(200);
    // The console session from before the deletion has ended: the owner signs in again.
    await http().get(path).set('Cookie', cookie).set('X-Forwarded-For', '10.66.1.2').expect(401);

    const [operatorEntry] = await operatorLog(bot.id);
    expect(operatorEntry).toMatchObject({
      action: 'bot.restored',
      actor: 'master:master',
      bot: { id: bot.id },
      before: { status: 'deleted' },
      // Deleting the bot already ended its console session.
      after: { status: 'paused', sessionsEnded: 0 },
    });
    const tenantEntries = (await tenantLog(bot.id)).filter((e) => e.action === 'bot.restored');
    expect(tenantEntries).toHaveLength(1);
    expect(tenantEntries[0]).toMatchObject({ before: { status: 'deleted' }, after: { status: 'paused' } });

    // The owner resumes it with the new token.
    await as(`Bearer ${rotated.body.apiToken}`).patch(path).send({ status: 'active' }).expect(200);
    expect((await as(master()).get(path).expect(200)).body.status).toBe('active');
  });

  it("deleting a bot ends its admins' console sessions (the rows, not only the guard's refusal); audited", async () => {
    const bot = await ctx.newBot();
    const { code } = await app.get(ConsoleLinksService, { strict: false }).issueForAdmin(bot.id, bot.ownerTelegramId);
    const signIn = await http().post('/v1/sessions').set('X-Forwarded-For', '10.66.3.1').send({ code }).expect(201);
    const sessionId = signIn.body.session.id as string;
    const sessions = app.get(ConsoleSessionsRepository, { strict: false });
    expect(await sessions.findLiveById(sessionId)).not.toBeNull();

    await deleteByOwner(bot);

    expect(await sessions.findLiveById(sessionId)).toBeNull();
    // Restoring finds none left to end; the deletion's row in the tenant's log (readable again) counted it.
    await restore(bot.id).expect(200);
    expect((await operatorLog(bot.id))[0]).toMatchObject({ after: { sessionsEnded: 0 } });
    const deleted = (await tenantLog(bot.id)).find((e) => e.action === 'bot.deleted');
    expect(deleted).toMatchObject({ after: { status: 'deleted', sessionsEnded: 1 } });
  });

  it('refuses a bot that is not deleted with 409 CONFLICT and an unknown bot with 404', async () => {
    const bot = await ctx.newBot();
    const res = await restore(bot.id).expect(409);
    expect(res.body.error).toMatchObject({ code: 'CONFLICT', details: { status: 'active' } });
    expect((await as(master()).get(`/v1/bots/${bot.id}`).expect(200)).body.status).toBe('active');
    const unknown = await restore('00000000-0000-4000-8000-000000000000').expect(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    expect(await operatorLog(bot.id)).toEqual([]);
  });

  it('refuses with 409 BOT_TOKEN_TAKEN naming the live tenant that registered the same Telegram bot; nothing changes', async () => {
    const bot = await ctx.newBot({ name: 'Old shop' });
    await ctx.newUser(bot.id);
    await deleteByOwner(bot);
    // Registering the same Telegram bot again still makes a new, empty tenant (the contract of POST /v1/bots).
    const again = await as(master())
      .post('/v1/bots')
      .send({ name: 'New shop', telegramBotToken: bot.telegram.token, ownerTelegramId: bot.ownerTelegramId })
      .expect(201);
    const newer = again.body.bot as { id: string };
    expect(newer.id).not.toBe(bot.id);

    const res = await restore(bot.id).expect(409);
    expect(res.body.error).toMatchObject({
      code: 'BOT_TOKEN_TAKEN',
      details: { takenBy: { botId: newer.id, name: 'New shop', status: 'active' } },
    });
    expect(res.body.error.message).toContain(newer.id);
    expect(JSON.stringify(res.body)).not.toContain(bot.telegram.token);
    // Nothing changed: the old bot is still deleted (and listed as such), the new one untouched, nothing audited.
    await as(master()).get(`/v1/bots/${bot.id}`).expect(404);
    const deleted = (await as(master()).get('/v1/admin/bots?status=deleted&pageSize=100').expect(200)).body.items;
    expect(deleted.map((b: { id: string }) => b.id)).toContain(bot.id);
    expect((await as(master()).get(`/v1/bots/${newer.id}`).expect(200)).body.status).toBe('active');
    expect(await operatorLog(bot.id)).toEqual([]);

    // Once the newer tenant is deleted in turn, the old one can come back.
    await as(master()).delete(`/v1/bots/${newer.id}`).expect(204);
    expect((await restore(bot.id).expect(200)).body.status).toBe('paused');
  });

  it("refuses a tenant's token (its own deleted bot's token is dead: 401; another tenant's: 403)", async () => {
    const bot = await ctx.newBot();
    const other = await ctx.newBot();
    await deleteByOwner(bot);
    await restore(bot.id, `Bearer ${bot.apiToken}`).expect(401);
    const res = await restore(bot.id, `Bearer ${other.apiToken}`).expect(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    await restore(other.id, `Bearer ${other.apiToken}`).expect(403);
    await as(master()).get(`/v1/bots/${bot.id}`).expect(404);
    expect(await operatorLog(bot.id)).toEqual([]);
  });

  it("an operator's console session restores (with its CSRF token), named after the operator in both logs", async () => {
    const bot = await ctx.newBot();
    await deleteByOwner(bot);
    const { code } = await app.get(ConsoleLinksService, { strict: false }).issueForOperator(OPERATOR_TG);
    const signIn = await http().post('/v1/sessions').set('X-Forwarded-For', '10.66.2.1').send({ code }).expect(201);
    const cookie = sessionCookie(signIn);
    const url = `/v1/admin/bots/${bot.id}/restore`;
    await http().post(url).set('Cookie', cookie).set('X-Forwarded-For', '10.66.2.2').send({}).expect(403);
    const res = await http()
      .post(url)
      .set('Cookie', cookie)
      .set('X-CSRF-Token', signIn.body.csrfToken as string)
      .set('X-Forwarded-For', '10.66.2.3')
      .send({})
      .expect(200);
    expect(res.body.status).toBe('paused');
    expect((await operatorLog(bot.id))[0].actor).toBe(`master:tg:${OPERATOR_TG}`);
    expect((await tenantLog(bot.id)).find((e) => e.action === 'bot.restored')).toBeDefined();
  });

  it('restores once when two restores race: one 200, the other 409, one audit row', async () => {
    const bot = await ctx.newBot();
    await deleteByOwner(bot);
    const results = await Promise.all([restore(bot.id), restore(bot.id)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await operatorLog(bot.id)).toHaveLength(1);
    expect((await tenantLog(bot.id)).filter((e) => e.action === 'bot.restored')).toHaveLength(1);
  });
});
