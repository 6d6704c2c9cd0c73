import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ConsoleLinksService } from '@botfleet/bots';
import {
  REMNAWAVE_DEFAULT_SQUAD_UUID,
  sessionCookie,
  TestBot,
  TestContext,
  TestEnv,
  WorkerWorld,
} from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(120_000);

const OPERATOR_TG = 777000222;
/** Credentials given to a panel: none of them may ever come back in the operator's audit log. */
const SECRETS = ['rw-api-key-7f3a9c', 'settings-api-key-5d21', 'merchant-0a1b2c3d', 'mz-password-91e7'];

interface Entry {
  id: string;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  bot: { id: string; name: string | null } | null;
  before: unknown;
  after: unknown;
  createdAt: string;
}

/** The cookie a response set, as `name=value` for the next request's Cookie header. */
/**
 * `GET /v1/admin/audit-log`: the operator reads their own audit log (admin_audit_log) newest first, with the actor,
 * action, target and bot of each change, narrowed by actor, action, bot and time; credentials given to a panel never
 * appear; tenants cannot reach it; bad filters are 400s naming the field. Real API, PostgreSQL and Redis.
 */
describe("the operator's audit log (API in-process, real PostgreSQL/Redis)", () => {
  let env: TestEnv;
  let ctx: TestContext;
  let app: INestApplication;
  let world: WorkerWorld;
  let ip = 0;
  const http = () => request(app.getHttpServer());
  const master = () => `Bearer ${env.masterToken}`;
  const log = (query = '', auth = master()) =>
    http()
      .get(`/v1/admin/audit-log${query}`)
      .set('Authorization', auth)
      .set('X-Forwarded-For', `10.77.0.${++ip % 250}`);
  const items = async (query = ''): Promise<Entry[]> => (await log(query).expect(200)).body.items as Entry[];

  beforeAll(async () => {
    world = await WorkerWorld.start({
      jobs: 'detached',
      createWorker: createApiApp,
      env: { MASTER_ADMIN_TELEGRAM_IDS: String(OPERATOR_TG) },
    });
    ({ env, ctx } = world);
    app = world.worker;
  });

  afterAll(() => world?.close());

  let shop: TestBot;
  let topUpId: string;
  let panelId: string;

  it('a top-up, then a panel made and changed: newest first, with actor, action, target and bot; no credential', async () => {
    shop = await ctx.newBot({ name: 'Audited Shop' });
    const topUp = await http()
      .post(`/v1/admin/bots/${shop.id}/wallet/top-ups`)
      .set('Authorization', master())
      .set('Idempotency-Key', 'audit-top-up-1')
      .send({ amountMinor: 50_000, note: 'bank transfer 1' })
      .expect(201);
    topUpId = topUp.body.id;
    const panel = await http()
      .post('/v1/admin/panels')
      .set('Authorization', master())
      .send({
        name: 'Audited panel',
        type: 'remnawave',
        baseUrl: 'http://127.0.0.1:9',
        credentials: { apiKey: SECRETS[0] },
        // Settings are free-form: a credential pasted there by mistake must not reach the log either.
        settings: {
          activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID],
          apiKey: SECRETS[1],
          merchantId: SECRETS[2],
        },
      })
      .expect(201);
    panelId = panel.body.id;
    await http()
      .patch(`/v1/admin/panels/${panelId}`)
      .set('Authorization', master())
      .send({
        name: 'Audited panel (Marzban)',
        type: 'marzban',
        credentials: { username: 'admin', password: SECRETS[3] },
        settings: { proxies: { vless: {} } },
      })
      .expect(200);

    const res = await log('?pageSize=3').expect(200);
    expect(res.body).toMatchObject({ page: 1, pageSize: 3 });
    expect(res.body.total).toBeGreaterThanOrEqual(3);
    const [updated, created, toppedUp] = res.body.items as Entry[];
    expect(updated).toMatchObject({
      actor: 'master:master',
      action: 'panel.updated',
      targetType: 'vpn_panel',
      targetId: panelId,
      bot: null,
      before: { name: 'Audited panel', type: 'remnawave' },
      after: { name: 'Audited panel (Marzban)', type: 'marzban', accessReplaced: true },
    });
    expect(created).toMatchObject({ actor: 'master:master', action: 'panel.created', targetId: panelId });
    expect(toppedUp).toMatchObject({
      actor: 'master:master',
      action: 'wallet.top_up',
      targetType: 'tenant_wallet_ledger',
      targetId: topUpId,
      bot: { id: shop.id, name: 'Audited Shop' },
      before: { walletBalanceMinor: 0 },
      after: { walletBalanceMinor: 50_000, amountMinor: 50_000, note: 'bank transfer 1' },
    });
    const times = (res.body.items as Entry[]).map((e) => Date.parse(e.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // The settings' own field is kept; the credentials, and the secrets pasted into settings, are not.
    expect((created.after as { settings: object }).settings).toEqual({
      activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID],
    });
    const all = JSON.stringify(await items('?pageSize=100'));
    for (const secret of SECRETS) expect(all).not.toContain(secret);
    expect(all).not.toContain(env.masterToken);
    // The onboarding row (bot.onboarded) holds the bot but neither its API token nor its Telegram token.
    expect(all).toContain('bot.onboarded');
    expect(all).not.toContain(shop.apiToken);
    expect(all).not.toContain(shop.telegram.token);
  });

  it("an operator's console session reads it, and its own change is named after the operator", async () => {
    const links = app.get(ConsoleLinksService, { strict: false });
    const { code } = await links.issueForOperator(OPERATOR_TG);
    const signIn = await http().post('/v1/sessions').set('X-Forwarded-For', '10.77.1.1').send({ code }).expect(201);
    const cookie = sessionCookie(signIn);
    await http()
      .patch(`/v1/admin/panels/${panelId}`)
      .set('Cookie', cookie)
      .set('X-CSRF-Token', signIn.body.csrfToken as string)
      .send({ capacity: 500 })
      .expect(200);
    const res = await http().get('/v1/admin/audit-log?pageSize=1').set('Cookie', cookie).expect(200);
    expect(res.body.items[0]).toMatchObject({
      actor: `master:tg:${OPERATOR_TG}`,
      action: 'panel.updated',
      before: { capacity: 1000 },
      after: { capacity: 500, accessReplaced: false },
    });
  });

  it('filters by actor, action, bot and time, and pages', async () => {
    const other = await ctx.newBot({ name: 'Other Shop' });
    await http()
      .post(`/v1/admin/bots/${other.id}/wallet/top-ups`)
      .set('Authorization', master())
      .set('Idempotency-Key', 'audit-top-up-2')
      .send({ amountMinor: 7_000 })
      .expect(201);

    const topUps = await items('?action=wallet.top_up');
    expect(topUps.map((e) => e.bot?.id)).toEqual([other.id, shop.id]);
    expect(topUps.every((e) => e.action === 'wallet.top_up')).toBe(true);

    const ofShop = await items(`?botId=${shop.id}`);
    expect(ofShop.length).toBeGreaterThanOrEqual(1);
    expect(ofShop.every((e) => e.bot?.id === shop.id)).toBe(true);
    expect(ofShop.map((e) => e.targetId)).toContain(topUpId);
    expect(await items(`?botId=${shop.id}&action=panel.created`)).toEqual([]);

    const byOperator = await items(`?actor=master:tg:${OPERATOR_TG}`);
    expect(byOperator.map((e) => e.action)).toEqual(['panel.updated']);
    expect(await items('?actor=master:tg:1')).toEqual([]);

    const newest = (await items('?pageSize=1'))[0];
    const at = newest.createdAt;
    expect((await items(`?from=${encodeURIComponent(at)}`)).map((e) => e.id)).toContain(newest.id);
    expect((await items(`?to=${encodeURIComponent(at)}&action=wallet.top_up`)).map((e) => e.bot?.id)).toContain(
      other.id,
    );
    const later = new Date(Date.parse(at) + 1).toISOString();
    expect(await items(`?from=${encodeURIComponent(later)}`)).toEqual([]);
    expect(await items('?to=2000-01-01')).toEqual([]);
    expect((await items('?from=2000-01-01&to=2999-12-31')).length).toBeGreaterThanOrEqual(5);

    const page1 = await log('?action=wallet.top_up&pageSize=1&page=1').expect(200);
    const page2 = await log('?action=wallet.top_up&pageSize=1&page=2').expect(200);
    expect(page1.body).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(page1.body.items[0].bot.id).toBe(other.id);
    expect(page2.body.items[0].bot.id).toBe(shop.id);
  });

  it("a tenant's token or console session gets 403, no token 401", async () => {
    const bot = await ctx.newBot();
    const res = await log('', `Bearer ${bot.apiToken}`).expect(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    const links = app.get(ConsoleLinksService, { strict: false });
    const { code } = await links.issueForAdmin(bot.id, bot.ownerTelegramId);
    const signIn = await http().post('/v1/sessions').set('X-Forwarded-For', '10.77.1.2').send({ code }).expect(201);
    await http().get('/v1/admin/audit-log').set('Cookie', sessionCookie(signIn)).expect(403);
    await http().get('/v1/admin/audit-log').set('X-Forwarded-For', '10.77.1.3').expect(401);
  });

  it.each([
    ['?action=panel.deleted', 'action'],
    ['?action=', 'action'],
    ['?action=wallet.top_up&action=wallet.adjust', 'action'],
    ['?botId=not-a-uuid', 'botId'],
    ['?actor=master', 'actor'],
    ['?actor=master%3Amaster%20OR%201%3D1', 'actor'],
    ['?from=yesterday', 'from'],
    ['?from=2025-13-45', 'from'],
    ['?to=1700000000', 'to'],
    ['?from=2025-02-01&to=2025-01-01', 'from'],
    ['?page=0', 'page'],
    ['?pageSize=101', 'pageSize'],
    ['?pageSize=ten', 'pageSize'],
    ['?sort=asc', 'sort'],
  ])('%s is a 400 naming %s', async (query, field) => {
    const res = await log(query).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect((res.body.error.details as { field: string }[]).map((d) => d.field)).toContain(field);
  });
});
