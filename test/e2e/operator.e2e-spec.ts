import Redis from 'ioredis';
import { botEventsChannel, BotEvent } from '@botfleet/bots';
import { testRedisUrl, waitFor } from '@botfleet/testing';
import { ApiHarness, RegisteredBot } from './support/api-harness';

describe('Operator endpoints (/v1/admin) and bot events', () => {
  let h: ApiHarness;
  let sub: Redis;
  const events: BotEvent[] = [];

  beforeAll(async () => {
    h = await ApiHarness.start();
    sub = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    await sub.subscribe(botEventsChannel(h.env.redisPrefix));
    sub.on('message', (_channel, message) => events.push(JSON.parse(message) as BotEvent));
  });
  afterAll(async () => {
    sub?.disconnect();
    await h?.stop();
  });

  const eventsOf = (botId: string) => events.filter((e) => e.botId === botId).map((e) => e.type);

  it('publishes a bot event for every change the supervisor must act on, never with a token in it', async () => {
    const bot: RegisteredBot = await h.registerBot();
    await h.as(bot.apiToken, 'patch', `/v1/bots/${bot.id}`).send({ status: 'paused' }).expect(200);
    await h.as(bot.apiToken, 'patch', `/v1/bots/${bot.id}`).send({ status: 'active' }).expect(200);
    await h.as(bot.apiToken, 'patch', `/v1/bots/${bot.id}`).send({ name: 'New name' }).expect(200);
    await h.as(h.master, 'post', `/v1/admin/bots/${bot.id}/suspend`).expect(200);
    await h.as(h.master, 'post', `/v1/admin/bots/${bot.id}/suspend`).expect(200); // no-op: no event
    await h.as(h.master, 'post', `/v1/admin/bots/${bot.id}/resume`).expect(200);
    await h
      .as(bot.apiToken, 'put', `/v1/bots/${bot.id}/telegram-token`)
      .send({ telegramBotToken: bot.telegramToken })
      .expect(200);
    await h.as(bot.apiToken, 'delete', `/v1/bots/${bot.id}`).expect(204);
    const want = ['created', 'paused', 'resumed', 'changed', 'suspended', 'resumed', 'token_replaced', 'deleted'];
    await waitFor(() => eventsOf(bot.id).length >= want.length, 3000);
    expect(eventsOf(bot.id)).toEqual(want);
    expect(JSON.stringify(events)).not.toContain(bot.telegramToken);
    expect(
      await h.count('admin_audit_log', `target_bot_id = $1 AND action IN ('bot.suspended','bot.resumed')`, [bot.id]),
    ).toBe(2);
  });

  it('lists tenants with status, wallet and sales; filters and pages', async () => {
    const a = await h.registerBot({ name: 'Listed alpha' });
    const b = await h.registerBot({ name: 'Listed beta' });
    await h.as(h.master, 'post', `/v1/admin/bots/${b.id}/suspend`).expect(200);
    await h
      .as(h.master, 'post', `/v1/admin/bots/${a.id}/wallet/top-ups`)
      .set('Idempotency-Key', 'list-1')
      .send({ amountMinor: 1234 })
      .expect(201);
    const all = await h.as(h.master, 'get', '/v1/admin/bots?search=listed&pageSize=1').expect(200);
    expect(all.body).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(all.body.items).toHaveLength(1);
    const suspended = await h.as(h.master, 'get', '/v1/admin/bots?status=suspended&search=listed').expect(200);
    expect(suspended.body.items.map((i: { id: string }) => i.id)).toEqual([b.id]);
    const alpha = (await h.as(h.master, 'get', '/v1/admin/bots?search=alpha').expect(200)).body.items[0];
    expect(alpha).toMatchObject({
      id: a.id,
      status: 'active',
      walletBalanceMinor: 1234,
      salesCount: 0,
      revenueMinor: 0,
    });
    expect(JSON.stringify(all.body)).not.toMatch(/telegramToken|apiTokenHash/);
  });

  it('feature allowances: forbidding switches the feature off for the tenant; both audit logs record it', async () => {
    const bot = await h.registerBot();
    const res = await h
      .as(h.master, 'put', `/v1/admin/bots/${bot.id}/features/card_to_card/allowed`)
      .send({ allowed: false })
      .expect(200);
    expect(res.body).toMatchObject({ key: 'card_to_card', allowed: false, enabled: false });
    await h
      .as(h.master, 'put', `/v1/admin/bots/${bot.id}/features/no_such_feature/allowed`)
      .send({ allowed: true })
      .expect(404);
    expect(await h.count('admin_audit_log', `target_bot_id = $1 AND action = 'feature.allowance_set'`, [bot.id])).toBe(
      1,
    );
    expect(await h.count('audit_logs', `bot_id = $1 AND action = 'feature.allowance_set'`, [bot.id])).toBe(1);
  });

  it('wholesale price: zeros until set, then what was set; the tenant sees it in its wallet', async () => {
    const bot = await h.registerBot();
    const empty = await h.as(h.master, 'get', `/v1/admin/bots/${bot.id}/wholesale-price`).expect(200);
    expect(empty.body).toEqual({
      perPlanMinor: 0,
      perGbMinor: 0,
      perDayMinor: 0,
      unlimitedTrafficGb: 0,
      trialMinor: 0,
      updatedAt: null,
    });
    const price = { perPlanMinor: 50_000, perGbMinor: 2_000, perDayMinor: 100, unlimitedTrafficGb: 200 };
    const set = await h.as(h.master, 'put', `/v1/admin/bots/${bot.id}/wholesale-price`).send(price).expect(200);
    expect(set.body).toMatchObject({ ...price, trialMinor: 0 });
    const wallet = await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}/wallet`).expect(200);
    expect(wallet.body.wholesalePrice).toMatchObject(price);
    // The trial's price sits next to the others; a PUT without it keeps it.
    const trial = { ...price, trialMinor: 7_000 };
    await h.as(h.master, 'put', `/v1/admin/bots/${bot.id}/wholesale-price`).send(trial).expect(200);
    const kept = await h.as(h.master, 'put', `/v1/admin/bots/${bot.id}/wholesale-price`).send(price).expect(200);
    expect(kept.body.trialMinor).toBe(7_000);
  });

  it('invites: generated codes, states in the list, revoke once, a used one cannot be revoked', async () => {
    const i1 = await h.createInvite({ note: 'one' });
    const i2 = await h.createInvite();
    expect(i1.code).toMatch(/^inv_[A-Za-z0-9_-]{24}$/);
    expect(i1.code).not.toBe(i2.code);
    await h.as(h.master, 'delete', `/v1/admin/invites/${i2.id}`).expect(200);
    await h.as(h.master, 'delete', `/v1/admin/invites/${i2.id}`).expect(200);
    const tg = h.telegram.createBot();
    await h.http
      .post('/v1/bots')
      .send({ name: 'Inv', telegramBotToken: tg.token, ownerTelegramId: 3, inviteCode: i1.code })
      .expect(201);
    const conflict = await h.as(h.master, 'delete', `/v1/admin/invites/${i1.id}`).expect(409);
    expect(conflict.body.error.code).toBe('CONFLICT');
    await h.as(h.master, 'delete', `/v1/admin/invites/00000000-0000-4000-8000-000000000000`).expect(404);
    const revoked = await h.as(h.master, 'get', '/v1/admin/invites?state=revoked').expect(200);
    expect(revoked.body.items.map((i: { id: string }) => i.id)).toContain(i2.id);
    const used = await h.as(h.master, 'get', '/v1/admin/invites?state=used').expect(200);
    expect(used.body.items.map((i: { id: string }) => i.id)).toContain(i1.id);
  });

  it('panels: credentials are validated per type, encrypted, never returned; PATCH keeps or replaces them', async () => {
    const created = await h
      .as(h.master, 'post', '/v1/admin/panels')
      .send({
        name: 'X1',
        type: 'xui',
        baseUrl: 'https://x1.example.com',
        credentials: { username: 'admin', password: 'xui-secret-password' },
        settings: { inboundId: 3, subscriptionBaseUrl: 'https://sub.example.com' },
        location: 'NL',
        capacity: 500,
      })
      .expect(201);
    expect(created.body).toMatchObject({
      type: 'xui',
      hasCredentials: true,
      location: 'NL',
      capacity: 500,
      isActive: true,
    });
    expect(created.body).not.toHaveProperty('credentials');
    const id = created.body.id;
    const renamed = await h
      .as(h.master, 'patch', `/v1/admin/panels/${id}`)
      .send({ name: 'X1b', isActive: false })
      .expect(200);
    expect(renamed.body).toMatchObject({ name: 'X1b', isActive: false, hasCredentials: true });
    const [before] = await h.platformDb.query(`SELECT credentials_ciphertext AS c FROM vpn_panels WHERE id = $1`, [id]);
    await h
      .as(h.master, 'patch', `/v1/admin/panels/${id}`)
      .send({ credentials: { username: 'admin', password: 'rotated-password' } })
      .expect(200);
    const [after] = await h.platformDb.query(`SELECT credentials_ciphertext AS c FROM vpn_panels WHERE id = $1`, [id]);
    expect(after.c).not.toBe(before.c);
    const one = await h.as(h.master, 'get', `/v1/admin/panels/${id}`).expect(200);
    const list = await h.as(h.master, 'get', '/v1/admin/panels').expect(200);
    for (const text of [JSON.stringify(one.body), JSON.stringify(list.body)]) {
      expect(text).not.toContain('rotated-password');
      expect(text).not.toContain('xui-secret-password');
    }
    const audit = await h.platformDb.query(`SELECT before, after FROM admin_audit_log WHERE target_id = $1`, [id]);
    expect(JSON.stringify(audit)).not.toMatch(/rotated-password|xui-secret-password/);
    await h.as(h.master, 'get', `/v1/admin/panels/00000000-0000-4000-8000-000000000000`).expect(404);
  });

  it('stats: platform totals from every tenant', async () => {
    const res = await h.as(h.master, 'get', '/v1/admin/stats').expect(200);
    expect(res.body.bots.total).toBeGreaterThanOrEqual(5);
    expect(res.body.bots.byStatus.deleted).toBe(1);
    expect(res.body.bots.byStatus.suspended).toBeGreaterThanOrEqual(1);
    expect(res.body.wallets).toEqual(
      expect.arrayContaining([expect.objectContaining({ currency: 'IRR', balanceMinor: 1234 })]),
    );
    expect(res.body.invites.used).toBeGreaterThanOrEqual(1);
    expect(res.body.panels.total).toBeGreaterThanOrEqual(1);
    expect(res.body).toMatchObject({ users: { total: 0 }, sales: [] });
  });
});
