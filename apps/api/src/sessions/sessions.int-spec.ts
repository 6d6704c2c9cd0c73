import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import request from 'supertest';
import { ConsoleLinksService, ReceiptPhotosService } from '@botfleet/bots';
import { ErrorCode, REDIS } from '@botfleet/common';
import { sessionCookie, TestBot, TestContext, TestEnv, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(60_000);

/**
 * The web console's sign-in on the real API, PostgreSQL and Redis: one-time links, the session cookie accepted
 * like a bearer token, CSRF for writes, the admin's role per route, sign-out and revocation, receipt photos.
 */
describe('console sessions (API in-process, real PostgreSQL/Redis, Telegram emulator)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let app: INestApplication;
  let world: WorkerWorld;
  let links: ConsoleLinksService;
  let redis: Redis;
  let a: TestBot;
  let b: TestBot;
  let ip = 0;
  const http = () => request(app.getHttpServer());
  /** Every sign-in from its own address: failures of one test never reach the limit in another. */
  const from = () => `10.77.${Math.floor(++ip / 250)}.${ip % 250}`;

  const signIn = async (botId: string, telegramId: number) => {
    const { code } = await links.issueForAdmin(botId, telegramId);
    const res = await http().post('/v1/sessions').set('X-Forwarded-For', from()).send({ code }).expect(201);
    return { cookie: sessionCookie(res), csrf: res.body.csrfToken as string, id: res.body.session.id as string };
  };
  const setRoles = (bot: TestBot, admins: { telegramId: number; role: string }[]) =>
    http().put(`/v1/bots/${bot.id}/admins`).set('Authorization', `Bearer ${bot.apiToken}`).send({ admins }).expect(200);
  const newPlanBody = () => ({
    name: { en: 'Console plan' },
    periodDays: 30,
    priceMinor: 1000,
    trafficLimitGb: 10,
    deviceLimit: 1,
  });

  beforeAll(async () => {
    world = await WorkerWorld.start({
      jobs: 'detached',
      createWorker: createApiApp,
      env: { MASTER_ADMIN_TELEGRAM_IDS: '777000111' },
    });
    ({ env, ctx } = world);
    app = world.worker;
    links = app.get(ConsoleLinksService, { strict: false });
    redis = app.get(REDIS, { strict: false });
    a = await ctx.newBot({ name: 'Shop A' });
    b = await ctx.newBot({ name: 'Shop B' });
  });

  afterAll(() => world?.close());

  it('a link signs in once: of two concurrent uses of one code exactly one gets a session', async () => {
    const { code, url } = await links.issueForAdmin(a.id, a.ownerTelegramId);
    expect(url).toBe(`http://127.0.0.1:3000/console/login#code=${code}`);
    expect(Buffer.from(code, 'base64url').length).toBeGreaterThanOrEqual(16);
    const [r1, r2] = await Promise.all(
      [1, 2].map(() => http().post('/v1/sessions').set('X-Forwarded-For', from()).send({ code })),
    );
    expect([r1.status, r2.status].sort()).toEqual([201, 401]);
    const refused = r1.status === 401 ? r1 : r2;
    expect(refused.body.error.code).toBe(ErrorCode.SIGN_IN_CODE_INVALID);
    const ok = r1.status === 201 ? r1 : r2;
    expect(ok.body.session).toMatchObject({
      kind: 'tenant',
      botId: a.id,
      role: 'owner',
      telegramId: a.ownerTelegramId,
    });
    expect(typeof ok.body.csrfToken).toBe('string');
    // HttpOnly, SameSite=Strict, Path=/; not Secure in tests (NODE_ENV=test).
    const cookie = ([] as string[]).concat(ok.headers['set-cookie']).find((c) => c.startsWith('bf_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    // Only hashes are kept: the cookie's token is nowhere in the database.
    const platform = await env.db.platform();
    const token = sessionCookie(ok).split('=')[1];
    const rows = await platform.query(`SELECT * FROM console_sessions WHERE id = $1`, [ok.body.session.id]);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(ok.body.csrfToken);
  });

  it('an expired link is refused, and a refused code counts as a failed authentication', async () => {
    const { code } = await links.issueForAdmin(a.id, a.ownerTelegramId);
    const keys = await redis.keys(`${env.redisPrefix}:console-link:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      const ttl = await redis.ttl(k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300);
      // Time passes: the code's five minutes are over.
      await redis.pexpire(k, 1);
    }
    await new Promise((r) => setTimeout(r, 20));
    const address = from();
    const res = await http().post('/v1/sessions').set('X-Forwarded-For', address).send({ code }).expect(401);
    expect(res.body.error.code).toBe(ErrorCode.SIGN_IN_CODE_INVALID);
    expect(Number(await redis.get(`${env.redisPrefix}:auth-fail:${address}`))).toBe(1);
    await http()
      .post('/v1/sessions')
      .set('X-Forwarded-For', from())
      .send({ code: 'x'.repeat(43) })
      .expect(401);
    await http().post('/v1/sessions').set('X-Forwarded-For', from()).send({}).expect(400);
  });

  it("a session of bot A opens A's routes and nothing of bot B (404, like tokens)", async () => {
    const s = await signIn(a.id, a.ownerTelegramId);
    await http().get(`/v1/bots/${a.id}/plans`).set('Cookie', s.cookie).expect(200);
    await http().get(`/v1/bots/${b.id}`).set('Cookie', s.cookie).expect(404);
    await http().get(`/v1/bots/${b.id}/plans`).set('Cookie', s.cookie).expect(404);
    await http().get('/v1/admin/bots').set('Cookie', s.cookie).expect(403);
  });

  it('a cookie write without the CSRF token is 403 CSRF_FAILED and changes nothing; with it, it works', async () => {
    const s = await signIn(a.id, a.ownerTelegramId);
    const before = (await http().get(`/v1/bots/${a.id}/plans`).set('Cookie', s.cookie).expect(200)).body.length;
    const refused = await http().post(`/v1/bots/${a.id}/plans`).set('Cookie', s.cookie).send(newPlanBody()).expect(403);
    expect(refused.body.error.code).toBe(ErrorCode.CSRF_FAILED);
    await http()
      .post(`/v1/bots/${a.id}/plans`)
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', 'not-the-token')
      .send(newPlanBody())
      .expect(403);
    expect((await http().get(`/v1/bots/${a.id}/plans`).set('Cookie', s.cookie).expect(200)).body.length).toBe(before);
    await http()
      .post(`/v1/bots/${a.id}/plans`)
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrf)
      .send(newPlanBody())
      .expect(201);
    expect((await http().get(`/v1/bots/${a.id}/plans`).set('Cookie', s.cookie).expect(200)).body.length).toBe(
      before + 1,
    );
  });

  it('a bearer token still works, and wins over a cookie (no CSRF needed with it)', async () => {
    const s = await signIn(a.id, a.ownerTelegramId);
    await http().get(`/v1/bots/${b.id}/plans`).set('Authorization', `Bearer ${b.apiToken}`).expect(200);
    await http()
      .get(`/v1/bots/${b.id}/plans`)
      .set('Authorization', `Bearer ${b.apiToken}`)
      .set('Cookie', s.cookie)
      .expect(200);
    await http()
      .post(`/v1/bots/${b.id}/plans`)
      .set('Authorization', `Bearer ${b.apiToken}`)
      .set('Cookie', s.cookie)
      .send(newPlanBody())
      .expect(201);
  });

  it('a support agent reads customers and tickets, and is refused plans; a removed admin is signed out', async () => {
    const support = 880_000_000 + Math.floor(Math.random() * 1e6);
    await setRoles(a, [{ telegramId: support, role: 'support' }]);
    const s = await signIn(a.id, support);
    const me = await http().get('/v1/sessions/current').set('Cookie', s.cookie).expect(200);
    expect(me.body).toMatchObject({ botName: 'Shop A', session: { role: 'support', telegramId: support } });
    expect([...me.body.permissions].sort()).toEqual(['lookup', 'tickets']);
    await http().get(`/v1/bots/${a.id}/tickets`).set('Cookie', s.cookie).expect(200);
    await http().get(`/v1/bots/${a.id}/users`).set('Cookie', s.cookie).expect(200);
    await http().get(`/v1/bots/${a.id}`).set('Cookie', s.cookie).expect(200);
    const plan = (await http().get(`/v1/bots/${a.id}/plans`).set('Authorization', `Bearer ${a.apiToken}`)).body[0];
    for (const [method, path] of [
      ['post', `/v1/bots/${a.id}/plans`],
      ['patch', `/v1/bots/${a.id}/plans/${plan.id}`],
      ['get', `/v1/bots/${a.id}/plans`],
      ['get', `/v1/bots/${a.id}/wallet`],
      ['put', `/v1/bots/${a.id}/admins`],
    ] as const) {
      const res = await http()[method](path).set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf).send({});
      expect({ method, path, status: res.status, code: res.body.error?.code }).toEqual({
        method,
        path,
        status: 403,
        code: ErrorCode.FORBIDDEN,
      });
    }
    // Promoted to admin: plans open on the next request (the role is read per request), the wallet stays closed.
    await setRoles(a, [{ telegramId: support, role: 'admin' }]);
    await http().get(`/v1/bots/${a.id}/plans`).set('Cookie', s.cookie).expect(200);
    await http().get(`/v1/bots/${a.id}/wallet`).set('Cookie', s.cookie).expect(403);
    // Removed: the session stops working at once.
    await setRoles(a, []);
    await http().get(`/v1/bots/${a.id}/tickets`).set('Cookie', s.cookie).expect(401);
  });

  it('a change by an admin session is audited as that admin', async () => {
    const s = await signIn(a.id, a.ownerTelegramId);
    await http()
      .post(`/v1/bots/${a.id}/plans`)
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrf)
      .send(newPlanBody())
      .expect(201);
    const platform = await env.db.platform();
    const rows = await platform.query(
      `SELECT actor_type, actor_id FROM audit_logs WHERE bot_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [a.id],
    );
    expect(rows[0]).toEqual({ actor_type: 'bot_admin', actor_id: String(a.ownerTelegramId) });
  });

  it('sign-out ends the session and clears the cookie; the old cookie is refused', async () => {
    const s = await signIn(a.id, a.ownerTelegramId);
    const noCsrf = await http().delete('/v1/sessions/current').set('Cookie', s.cookie).expect(403);
    expect(noCsrf.body.error.code).toBe(ErrorCode.CSRF_FAILED);
    const out = await http()
      .delete('/v1/sessions/current')
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrf)
      .expect(204);
    const cleared = ([] as string[]).concat(out.headers['set-cookie']).find((c) => c.startsWith('bf_session='))!;
    expect(cleared).toMatch(/^bf_session=;/);
    const res = await http().get(`/v1/bots/${a.id}/plans`).set('Cookie', s.cookie).expect(401);
    expect(res.body.error.code).toBe(ErrorCode.UNAUTHORIZED);
  });

  it('a session lasts CONSOLE_SESSION_TTL_H (12 h) from sign-in; past it the cookie is refused', async () => {
    const { code } = await links.issueForAdmin(a.id, a.ownerTelegramId);
    const res = await http().post('/v1/sessions').set('X-Forwarded-For', from()).send({ code }).expect(201);
    const ttl = new Date(res.body.session.expiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(12 * 3_600_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(12 * 3_600_000);
    const cookie = sessionCookie(res);
    await http().get(`/v1/bots/${a.id}/plans`).set('Cookie', cookie).expect(200);
    // Twelve hours pass.
    const platform = await env.db.platform();
    await platform.query(`UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      res.body.session.id,
    ]);
    await http().get(`/v1/bots/${a.id}/plans`).set('Cookie', cookie).expect(401);
    // A tab left open keeps sending its ended session: that is not guessing (the cookie is 256 random bits),
    // so it never locks the address out — a colleague behind the same NAT still gets in.
    const office = from();
    for (let i = 0; i < 25; i++) {
      await http().get(`/v1/bots/${a.id}/plans`).set('X-Forwarded-For', office).set('Cookie', cookie).expect(401);
    }
    await http()
      .get(`/v1/bots/${a.id}/plans`)
      .set('X-Forwarded-For', office)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .expect(200);
  });

  it("lists and revokes one's own sessions; another admin's session is 404", async () => {
    const s1 = await signIn(a.id, a.ownerTelegramId);
    const s2 = await signIn(a.id, a.ownerTelegramId);
    const other = 890_000_000 + Math.floor(Math.random() * 1e6);
    await setRoles(a, [{ telegramId: other, role: 'admin' }]);
    const o = await signIn(a.id, other);
    const list = await http().get('/v1/sessions').set('Cookie', s1.cookie).expect(200);
    const ids = list.body.items.map((i: { id: string }) => i.id);
    expect(ids).toEqual(expect.arrayContaining([s1.id, s2.id]));
    expect(ids).not.toContain(o.id);
    expect(list.body.items.find((i: { id: string }) => i.id === s1.id).current).toBe(true);
    await http().delete(`/v1/sessions/${o.id}`).set('Cookie', s1.cookie).set('X-CSRF-Token', s1.csrf).expect(404);
    await http().delete(`/v1/sessions/${s2.id}`).set('Cookie', s1.cookie).set('X-CSRF-Token', s1.csrf).expect(204);
    await http().get(`/v1/bots/${a.id}/plans`).set('Cookie', s2.cookie).expect(401);
    await http().get(`/v1/bots/${a.id}/plans`).set('Cookie', s1.cookie).expect(200);
    await http().get(`/v1/bots/${a.id}/plans`).set('Cookie', o.cookie).expect(200);
    // The bot's token sees every session of the bot and may end any.
    const all = await http().get('/v1/sessions').set('Authorization', `Bearer ${a.apiToken}`).expect(200);
    expect(all.body.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([s1.id, o.id]));
    // …and nothing of another bot: bot B's session is neither listed nor revocable with A's token.
    const ofB = await signIn(b.id, b.ownerTelegramId);
    expect(all.body.items.map((i: { id: string }) => i.id)).not.toContain(ofB.id);
    const again = await http().get('/v1/sessions').set('Authorization', `Bearer ${a.apiToken}`).expect(200);
    expect(again.body.items.map((i: { id: string }) => i.id)).not.toContain(ofB.id);
    await http().delete(`/v1/sessions/${ofB.id}`).set('Authorization', `Bearer ${a.apiToken}`).expect(404);
    await http().get(`/v1/bots/${b.id}/plans`).set('Cookie', ofB.cookie).expect(200);
    await setRoles(a, []);
  });

  it("GET /v1/sessions/{id}: one's own session without any secret; another's, a revoked or unknown one is 404", async () => {
    const mine = await signIn(a.id, a.ownerTelegramId);
    const mine2 = await signIn(a.id, a.ownerTelegramId);
    const other = 890_000_000 + Math.floor(Math.random() * 1e6);
    await setRoles(a, [{ telegramId: other, role: 'support' }]);
    const theirs = await signIn(a.id, other);
    const ofB = await signIn(b.id, b.ownerTelegramId);

    const res = await http().get(`/v1/sessions/${mine.id}`).set('Cookie', mine.cookie).expect(200);
    expect(res.body).toMatchObject({
      id: mine.id,
      kind: 'tenant',
      botId: a.id,
      role: 'owner',
      telegramId: a.ownerTelegramId,
      current: true,
    });
    const fields = ['botId', 'createdAt', 'current', 'expiresAt', 'id', 'kind', 'lastSeenAt', 'role', 'telegramId'];
    expect(Object.keys(res.body).sort()).toEqual([...fields, 'userAgent']);
    // No secret of the session in the answer: neither the cookie's token, the CSRF token nor their hashes.
    const rows: { token_hash: string; csrf_hash: string }[] = await world.platform.query(
      'SELECT token_hash, csrf_hash FROM console_sessions WHERE id = $1',
      [mine.id],
    );
    const body = JSON.stringify(res.body);
    for (const secret of [mine.cookie.split('=')[1], mine.csrf, rows[0].token_hash, rows[0].csrf_hash]) {
      expect(body).not.toContain(secret);
    }
    const sibling = await http().get(`/v1/sessions/${mine2.id}`).set('Cookie', mine.cookie).expect(200);
    expect(sibling.body).toMatchObject({ id: mine2.id, current: false });
    // The bot's token sees every session of its bot, like the list.
    await http().get(`/v1/sessions/${theirs.id}`).set('Authorization', `Bearer ${a.apiToken}`).expect(200);

    // Another admin's session, another bot's, a revoked one, an unknown or malformed id: 404 NOT_FOUND.
    await http().delete(`/v1/sessions/${mine2.id}`).set('Cookie', mine.cookie).set('X-CSRF-Token', mine.csrf);
    for (const [who, cookie, id] of [
      ['owner → support agent', mine.cookie, theirs.id],
      ['support agent → owner', theirs.cookie, mine.id],
      ['owner of A → owner of B', mine.cookie, ofB.id],
      ['owner → revoked', mine.cookie, mine2.id],
      ['owner → unknown', mine.cookie, '00000000-0000-4000-8000-000000000000'],
    ]) {
      const r = await http().get(`/v1/sessions/${id}`).set('Cookie', cookie);
      expect({ who, status: r.status, code: r.body.error?.code }).toEqual({ who, status: 404, code: 'NOT_FOUND' });
    }
    await http().get(`/v1/sessions/${ofB.id}`).set('Authorization', `Bearer ${a.apiToken}`).expect(404);
    // A malformed id is refused before anything is looked up (as on every route); no caller: 401.
    await http().get('/v1/sessions/not-a-uuid').set('Cookie', mine.cookie).expect(400);
    await http().get(`/v1/sessions/${mine.id}`).expect(401);
    await setRoles(a, []);
  });

  it('a pasted API token or the master token signs in too; a wrong one is 401', async () => {
    const t = await http()
      .post('/v1/sessions')
      .set('X-Forwarded-For', from())
      .send({ apiToken: a.apiToken })
      .expect(201);
    expect(t.body.session).toMatchObject({ kind: 'tenant', botId: a.id, role: 'owner', telegramId: null });
    await http().get(`/v1/bots/${a.id}/wallet`).set('Cookie', sessionCookie(t)).expect(200);
    const m = await http()
      .post('/v1/sessions')
      .set('X-Forwarded-For', from())
      .send({ apiToken: env.masterToken })
      .expect(201);
    expect(m.body.session).toMatchObject({ kind: 'master', botId: null, role: 'operator' });
    await http().get('/v1/admin/bots').set('Cookie', sessionCookie(m)).expect(200);
    const bad = await http()
      .post('/v1/sessions')
      .set('X-Forwarded-For', from())
      .send({ apiToken: 'bft_nope' })
      .expect(401);
    expect(bad.body.error.code).toBe(ErrorCode.UNAUTHORIZED);
  });

  it('a session signed in with a pasted API token ends when that token is rotated', async () => {
    const c = await ctx.newBot({ name: 'Shop C' });
    const pasted = await http()
      .post('/v1/sessions')
      .set('X-Forwarded-For', from())
      .send({ apiToken: c.apiToken })
      .expect(201);
    const cookie = sessionCookie(pasted);
    await http().get(`/v1/bots/${c.id}/plans`).set('Cookie', cookie).expect(200);
    const rotated = await http()
      .post(`/v1/bots/${c.id}/api-token/rotate`)
      .set('Authorization', `Bearer ${c.apiToken}`)
      .expect(200);
    // The leaked token is dead, and so is every browser session it opened.
    await http().get(`/v1/bots/${c.id}/plans`).set('X-Forwarded-For', from()).set('Cookie', cookie).expect(401);
    const fresh = await http()
      .post('/v1/sessions')
      .set('X-Forwarded-For', from())
      .send({ apiToken: rotated.body.apiToken })
      .expect(201);
    await http().get(`/v1/bots/${c.id}/plans`).set('Cookie', sessionCookie(fresh)).expect(200);
  });

  it("an operator's link from the master bot opens a master session (and the queue dashboard)", async () => {
    await expect(links.issueForOperator(123)).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    const { code } = await links.issueForOperator(777000111);
    const res = await http().post('/v1/sessions').set('X-Forwarded-For', from()).send({ code }).expect(201);
    expect(res.body.session).toMatchObject({ kind: 'master', botId: null, role: 'operator', telegramId: 777000111 });
    const cookie = sessionCookie(res);
    await http().get(`/v1/bots/${b.id}/plans`).set('Cookie', cookie).expect(200);
    await http().get('/admin/queues').set('Cookie', cookie).expect(200);
    const tenant = await signIn(a.id, a.ownerTelegramId);
    await http().get('/admin/queues').set('Cookie', tenant.cookie).expect(404);
    await http().get('/admin/queues').set('Cookie', 'bf_session=nope').expect(401);
  });

  it('a receipt photo: a signed URL streams the bytes; a tampered or expired one is refused', async () => {
    const customer = 900_000_000 + Math.floor(Math.random() * 1e6);
    const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('receipt-photo-bytes')]);
    const sent = ctx.telegram.sendPhoto(a.telegram.id, { from: { id: customer, first_name: 'Buyer' }, bytes });
    const fileId = sent.fileIds[sent.fileIds.length - 1];
    const receipt = await ctx.newReceiptToReview(a.id, { receiptFileId: fileId });
    const s = await signIn(a.id, a.ownerTelegramId);
    const signed = await http()
      .get(`/v1/bots/${a.id}/card-payments/${receipt.paymentId}/photo-url`)
      .set('Cookie', s.cookie)
      .expect(200);
    expect(signed.body.url).toMatch(/^\/v1\/media\/receipts\//);
    expect(signed.body.url).not.toContain(a.telegram.token);
    expect(signed.body.url).not.toContain(a.telegram.token.split(':')[1]);
    expect(new Date(signed.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    const photo = await http()
      .get(signed.body.url)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(photo.headers['content-type']).toBe('image/jpeg');
    expect(photo.headers['cache-control']).toBe('private, max-age=300');
    expect(Buffer.compare(photo.body as Buffer, bytes)).toBe(0);

    // Another bot's payment id under this bot's signature, a changed expiry, a changed signature: refused.
    const [botId, paymentId, exp, sig] = signed.body.url.split('/').pop().split('.');
    const tampered = [
      `${b.id}.${paymentId}.${exp}.${sig}`,
      `${botId}.${paymentId}.${Number(exp) + 3600}.${sig}`,
      `${botId}.${paymentId}.${exp}.${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`,
      `${botId}.${paymentId}.${exp}`,
    ];
    for (const t of tampered) await http().get(`/v1/media/receipts/${t}`).expect(404);
    // Past its five minutes the same URL is refused.
    const photos = app.get(ReceiptPhotosService, { strict: false });
    const token = signed.body.url.split('/').pop();
    expect(photos.verify(token)).toEqual({ botId: a.id, paymentId: receipt.paymentId });
    expect(photos.verify(token, Date.now() + 301_000)).toBeNull();
    // Bot B's session cannot get a URL for bot A's payment.
    const sb = await signIn(b.id, b.ownerTelegramId);
    await http()
      .get(`/v1/bots/${a.id}/card-payments/${receipt.paymentId}/photo-url`)
      .set('Cookie', sb.cookie)
      .expect(404);
    await http()
      .get(`/v1/bots/${b.id}/card-payments/${receipt.paymentId}/photo-url`)
      .set('Cookie', sb.cookie)
      .expect(404);
  });
});
