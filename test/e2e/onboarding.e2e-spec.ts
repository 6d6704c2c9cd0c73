import { ApiHarness } from './support/api-harness';

describe('Onboarding and the bot itself (POST /v1/bots and /v1/bots/{botId})', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await ApiHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('registers a bot with an invite and no token: 201, token shown once, owner is the first admin', async () => {
    const invite = await h.createInvite({ note: 'for Ali' });
    const tg = h.telegram.createBot({ username: 'alishop_bot' });
    const res = await h.http
      .post('/v1/bots')
      .send({
        name: 'Ali VPN',
        telegramBotToken: tg.token,
        ownerTelegramId: 5551234,
        inviteCode: invite.code,
        defaultLanguage: 'en',
        currency: 'USD',
        supportUsername: '@ali_support',
        adminChatId: -1001234567890,
      })
      .expect(201);
    const { bot, apiToken } = res.body;
    expect(apiToken).toMatch(/^bft_[A-Za-z0-9_-]{43}$/);
    expect(bot).toMatchObject({
      name: 'Ali VPN',
      telegramUsername: 'alishop_bot',
      telegramBotId: tg.id,
      status: 'active',
      isMaster: false,
      defaultLanguage: 'en',
      currency: 'USD',
      supportUsername: 'ali_support',
      adminChatId: -1001234567890,
      walletBalanceMinor: 0,
      apiTokenPrefix: apiToken.slice(0, 10),
    });
    expect(JSON.stringify(res.body.bot)).not.toContain(tg.token);

    // The API token works, and reads show neither it nor the Telegram token.
    const got = await h.as(apiToken, 'get', `/v1/bots/${bot.id}`).expect(200);
    expect(got.body).toEqual({ ...bot, updatedAt: expect.any(String) });
    expect(JSON.stringify(got.body)).not.toContain(apiToken);
    expect(JSON.stringify(got.body)).not.toContain(tg.token);
    const admins = await h.as(apiToken, 'get', `/v1/bots/${bot.id}/admins`).expect(200);
    expect(admins.body).toEqual({
      ownerTelegramId: 5551234,
      telegramIds: [5551234],
      admins: [{ telegramId: 5551234, role: 'owner' }],
    });

    // The invite is now used, by this bot.
    const list = await h.as(h.master, 'get', '/v1/admin/invites').expect(200);
    expect(list.body.items.find((i: { id: string }) => i.id === invite.id)).toMatchObject({
      state: 'used',
      usedByBotId: bot.id,
    });
    // Stored: ciphertext and hashes only; an audit row for the creation.
    const [row] = await h.platformDb.query(`SELECT * FROM bots WHERE id = $1`, [bot.id]);
    expect(row.telegram_token_ciphertext).not.toContain(tg.token.split(':')[1]);
    expect(row.api_token_hash).toHaveLength(64);
    expect(await h.count('audit_logs', `bot_id = $1 AND action = 'bot.created'`, [bot.id])).toBe(1);
  });

  it('refuses a reused, revoked, expired, unknown or missing invite with 403 INVITE_INVALID, writing nothing', async () => {
    const invite = await h.createInvite();
    const first = h.telegram.createBot();
    await h.http
      .post('/v1/bots')
      .send({ name: 'First', telegramBotToken: first.token, ownerTelegramId: 42, inviteCode: invite.code })
      .expect(201);
    const revoked = await h.createInvite();
    await h.as(h.master, 'delete', `/v1/admin/invites/${revoked.id}`).expect(200);
    const expiring = await h.createInvite({ expiresAt: new Date(Date.now() + 1500).toISOString() });
    await new Promise((r) => setTimeout(r, 1600));

    const before = await h.count('bots');
    for (const inviteCode of [invite.code, revoked.code, expiring.code, 'inv_doesnotexist', undefined]) {
      const tg = h.telegram.createBot();
      const res = await h.http
        .post('/v1/bots')
        .send({ name: 'Second', telegramBotToken: tg.token, ownerTelegramId: 43, inviteCode })
        .expect(403);
      expect(res.body.error.code).toBe('INVITE_INVALID');
    }
    expect(await h.count('bots')).toBe(before);
  });

  it('gives one bot for two concurrent registrations with one invite', async () => {
    const invite = await h.createInvite();
    const [a, b] = [h.telegram.createBot(), h.telegram.createBot()];
    const results = await Promise.all(
      [a, b].map((tg) =>
        h.http
          .post('/v1/bots')
          .send({ name: 'Race', telegramBotToken: tg.token, ownerTelegramId: 7, inviteCode: invite.code }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 403]);
    expect(await h.count('bots', `name = 'Race'`)).toBe(1);
  });

  it('answers 422 TELEGRAM_TOKEN_REJECTED when Telegram does not know the token, and never echoes it', async () => {
    const tg = h.telegram.createBot();
    h.telegram.revokeToken(tg.id);
    const unknown = `${tg.id + 1}:AA${'x'.repeat(33)}`;
    for (const token of [tg.token, unknown]) {
      const res = await h
        .as(h.master, 'post', '/v1/bots')
        .send({ name: 'X', telegramBotToken: token, ownerTelegramId: 1 });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('TELEGRAM_TOKEN_REJECTED');
      expect(res.text).not.toContain(token.split(':')[1]);
    }
  });

  it('answers 503 DEPENDENCY_DOWN when Telegram fails, without the token in the answer', async () => {
    const tg = h.telegram.createBot();
    h.telegram.setFaults(tg.id, { failNext: { count: 1, status: 502 } });
    const res = await h
      .as(h.master, 'post', '/v1/bots')
      .send({ name: 'X', telegramBotToken: tg.token, ownerTelegramId: 1 })
      .expect(503);
    expect(res.body.error.code).toBe('DEPENDENCY_DOWN');
    expect(res.text).not.toContain(tg.token.split(':')[1]);
  });

  it('answers 409 BOT_TOKEN_TAKEN for the same token or the same Telegram bot with a new token', async () => {
    const bot = await h.registerBot();
    const same = await h
      .as(h.master, 'post', '/v1/bots')
      .send({ name: 'Again', telegramBotToken: bot.telegramToken, ownerTelegramId: 1 })
      .expect(409);
    expect(same.body.error.code).toBe('BOT_TOKEN_TAKEN');

    // BotFather's "revoke token": same bot id, new secret.
    h.telegram.deleteBot(bot.telegramBotId);
    const fresh = h.telegram.createBot({ token: `${bot.telegramBotId}:AB${'n'.repeat(33)}` });
    const sameBot = await h
      .as(h.master, 'post', '/v1/bots')
      .send({ name: 'Again', telegramBotToken: fresh.token, ownerTelegramId: 1 })
      .expect(409);
    expect(sameBot.body.error.code).toBe('BOT_TOKEN_TAKEN');

    // Concurrent registrations of one new token: exactly one bot (unique index race).
    const racing = h.telegram.createBot();
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        h.as(h.master, 'post', '/v1/bots').send({ name: 'Twin', telegramBotToken: racing.token, ownerTelegramId: 1 }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(await h.count('bots', `telegram_bot_id = $1`, [racing.id])).toBe(1);
  });

  it('rotates the API token: the new one works, the old one answers 401 at once', async () => {
    const bot = await h.registerBot();
    const res = await h.as(bot.apiToken, 'post', `/v1/bots/${bot.id}/api-token/rotate`).expect(200);
    expect(res.body.apiToken).toMatch(/^bft_/);
    expect(res.body.apiToken).not.toBe(bot.apiToken);
    const old = await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}`).set('X-Forwarded-For', h.nextIp()).expect(401);
    expect(old.headers['www-authenticate']).toBe('Bearer');
    const got = await h.as(res.body.apiToken, 'get', `/v1/bots/${bot.id}`).expect(200);
    expect(got.body.apiTokenPrefix).toBe(res.body.apiTokenPrefix);
    expect(await h.count('audit_logs', `bot_id = $1 AND action = 'bot.api_token_rotated'`, [bot.id])).toBe(1);
  });

  it('PATCH changes settings (audited), pauses and resumes; null clears optional fields', async () => {
    const bot = await h.registerBot();
    const res = await h
      .as(bot.apiToken, 'patch', `/v1/bots/${bot.id}`)
      .send({ name: 'Renamed', supportUsername: 'helpdesk_1', adminTopicId: 5, currency: 'EUR' })
      .expect(200);
    expect(res.body).toMatchObject({
      name: 'Renamed',
      supportUsername: 'helpdesk_1',
      adminTopicId: 5,
      currency: 'EUR',
    });
    const [audit] = await h.platformDb.query(
      `SELECT actor_type, actor_id, before, after FROM audit_logs WHERE bot_id = $1 AND action = 'bot.updated'`,
      [bot.id],
    );
    expect(audit).toMatchObject({
      actor_type: 'tenant_api',
      actor_id: bot.id,
      after: { name: 'Renamed', supportUsername: 'helpdesk_1', adminTopicId: 5, currency: 'EUR' },
    });
    expect(audit.before.name).toMatch(/^Shop /);

    await h.as(bot.apiToken, 'patch', `/v1/bots/${bot.id}`).send({ status: 'paused' }).expect(200);
    expect((await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}`)).body.status).toBe('paused');
    await h
      .as(bot.apiToken, 'patch', `/v1/bots/${bot.id}`)
      .send({ status: 'active', supportUsername: null })
      .expect(200);
    const after = (await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}`)).body;
    expect(after).toMatchObject({ status: 'active', supportUsername: null });
  });

  it('a suspended bot: reads work, writes answer 403 BOT_SUSPENDED, a tenant cannot un-suspend', async () => {
    const bot = await h.registerBot();
    await h.as(h.master, 'post', `/v1/admin/bots/${bot.id}/suspend`).expect(200);
    await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}`).expect(200);
    for (const [method, path, body] of [
      ['patch', '', { status: 'active' }],
      ['patch', '', { name: 'x' }],
      ['post', '/api-token/rotate', {}],
      ['put', '/admins', { telegramIds: [] }],
      ['delete', '', {}],
    ] as const) {
      const res = await h.as(bot.apiToken, method, `/v1/bots/${bot.id}${path}`).send(body).expect(403);
      expect(res.body.error.code).toBe('BOT_SUSPENDED');
    }
    expect((await h.as(h.master, 'get', `/v1/bots/${bot.id}`)).body.status).toBe('suspended');
    await h.as(h.master, 'post', `/v1/admin/bots/${bot.id}/resume`).expect(200);
    await h.as(bot.apiToken, 'patch', `/v1/bots/${bot.id}`).send({ name: 'Back' }).expect(200);
  });

  it('replaces the Telegram token: same bot only (unless master), token_invalid becomes active', async () => {
    const bot = await h.registerBot();
    await h.platformDb.query(`UPDATE bots SET status = 'token_invalid' WHERE id = $1`, [bot.id]);
    h.telegram.deleteBot(bot.telegramBotId);
    const renewed = h.telegram.createBot({ token: `${bot.telegramBotId}:AC${'r'.repeat(33)}` });
    const res = await h
      .as(bot.apiToken, 'put', `/v1/bots/${bot.id}/telegram-token`)
      .send({ telegramBotToken: renewed.token })
      .expect(200);
    expect(res.body).toMatchObject({ status: 'active', telegramBotId: bot.telegramBotId });

    const other = h.telegram.createBot();
    const mismatch = await h
      .as(bot.apiToken, 'put', `/v1/bots/${bot.id}/telegram-token`)
      .send({ telegramBotToken: other.token })
      .expect(422);
    expect(mismatch.body.error.code).toBe('TELEGRAM_BOT_MISMATCH');
    await h
      .as(bot.apiToken, 'put', `/v1/bots/${bot.id}/telegram-token`)
      .send({ telegramBotToken: other.token, allowDifferentBot: true })
      .expect(403);
    const moved = await h
      .as(h.master, 'put', `/v1/bots/${bot.id}/telegram-token`)
      .send({ telegramBotToken: other.token, allowDifferentBot: true })
      .expect(200);
    expect(moved.body).toMatchObject({ telegramBotId: other.id, telegramUsername: other.username });

    // Another tenant's Telegram bot cannot be taken over.
    const taken = await h.registerBot();
    const clash = await h
      .as(h.master, 'put', `/v1/bots/${bot.id}/telegram-token`)
      .send({ telegramBotToken: taken.telegramToken, allowDifferentBot: true })
      .expect(409);
    expect(clash.body.error.code).toBe('BOT_TOKEN_TAKEN');
  });

  it('admins: the owner is always kept, duplicates collapse, at most 20', async () => {
    const bot = await h.registerBot({ ownerTelegramId: 900 });
    const res = await h
      .as(bot.apiToken, 'put', `/v1/bots/${bot.id}/admins`)
      .send({ telegramIds: [902, 901, 902] })
      .expect(200);
    expect(res.body).toEqual({
      ownerTelegramId: 900,
      telegramIds: [900, 901, 902],
      admins: [
        { telegramId: 900, role: 'owner' },
        { telegramId: 901, role: 'admin' },
        { telegramId: 902, role: 'admin' },
      ],
    });
    await h.as(bot.apiToken, 'put', `/v1/bots/${bot.id}/admins`).send({ telegramIds: [] }).expect(200);
    expect((await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}/admins`)).body.telegramIds).toEqual([900]);
    const tooMany = Array.from({ length: 20 }, (_, i) => 1000 + i);
    const res2 = await h
      .as(bot.apiToken, 'put', `/v1/bots/${bot.id}/admins`)
      .send({ telegramIds: tooMany })
      .expect(400);
    expect(res2.body.error.details).toEqual([{ field: 'telegramIds', errors: [expect.any(String)] }]);
  });

  it('admins with roles: owner / admin / support; the owner cannot be demoted, no second owner', async () => {
    const bot = await h.registerBot({ ownerTelegramId: 910 });
    const put = (body: object) => h.as(bot.apiToken, 'put', `/v1/bots/${bot.id}/admins`).send(body);
    const res = await put({
      admins: [
        { telegramId: 912, role: 'support' },
        { telegramId: 911, role: 'admin' },
      ],
    }).expect(200);
    const roles = [
      { telegramId: 910, role: 'owner' },
      { telegramId: 911, role: 'admin' },
      { telegramId: 912, role: 'support' },
    ];
    expect(res.body).toEqual({ ownerTelegramId: 910, telegramIds: [910, 911, 912], admins: roles });
    const refused = [
      [{ admins: [{ telegramId: 910, role: 'admin' }] }, 'admins.0'],
      [{ admins: [{ telegramId: 913, role: 'owner' }] }, 'admins.0'],
      [{ admins: [{ telegramId: 913, role: 'boss' }] }, 'admins.0.role'],
      [{ admins: [{ telegramId: -1, role: 'admin' }] }, 'admins.0.telegramId'],
      [{ admins: [{ telegramId: 913, role: 'admin' }], telegramIds: [913] }, 'telegramIds'],
    ] as const;
    for (const [body, field] of refused) {
      const bad = await put(body).expect(400);
      expect({ body, details: bad.body.error.details }).toEqual({
        body,
        details: [{ field, errors: [expect.any(String)] }],
      });
    }
    expect((await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}/admins`)).body.admins).toEqual(roles);
    // The older form still works and makes each an admin.
    await put({ telegramIds: [912] }).expect(200);
    expect((await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}/admins`)).body.admins).toEqual([
      { telegramId: 910, role: 'owner' },
      { telegramId: 912, role: 'admin' },
    ]);
  });

  it('DELETE soft-deletes: 204, the API token answers 401, the row and its data stay, the token can register again', async () => {
    const bot = await h.registerBot();
    await h.as(bot.apiToken, 'delete', `/v1/bots/${bot.id}`).expect(204);
    const res = await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}`).set('X-Forwarded-For', h.nextIp()).expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    await h.as(h.master, 'get', `/v1/bots/${bot.id}`).expect(404);
    const [row] = await h.platformDb.query(`SELECT status, deleted_at, api_token_hash FROM bots WHERE id = $1`, [
      bot.id,
    ]);
    expect(row).toMatchObject({ status: 'deleted', api_token_hash: null });
    expect(row.deleted_at).not.toBeNull();
    expect(await h.count('bot_admins', 'bot_id = $1', [bot.id])).toBe(1);
    await h
      .as(h.master, 'post', '/v1/bots')
      .send({ name: 'Reborn', telegramBotToken: bot.telegramToken, ownerTelegramId: 1 })
      .expect(201);
  });
});
