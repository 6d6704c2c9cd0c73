import { ApiHarness, RegisteredBot } from './support/api-harness';

describe('Authentication on the platform API', () => {
  let h: ApiHarness;
  let bot: RegisteredBot;

  beforeAll(async () => {
    h = await ApiHarness.start();
    bot = await h.registerBot();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('missing, malformed or wrong token: 401 with WWW-Authenticate: Bearer and the error body', async () => {
    const ip = h.nextIp();
    for (const header of [
      undefined,
      'Basic abc',
      'Bearer ',
      `Bearer ${bot.apiToken}x`,
      'Bearer bft_nope',
      `Bearer ${h.master}x`,
    ]) {
      const r = h.http.get(`/v1/bots/${bot.id}`).set('X-Forwarded-For', ip);
      const res = await (header ? r.set('Authorization', header) : r);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      expect(res.text).not.toContain(bot.apiToken);
    }
  });

  it('a tenant token is refused on /v1/admin/* and reaches only its own bot', async () => {
    for (const [method, path] of [
      ['get', '/v1/admin/bots'],
      ['get', '/v1/admin/stats'],
      ['get', '/v1/admin/invites'],
      ['post', '/v1/admin/invites'],
      ['get', '/v1/admin/panels'],
      ['post', `/v1/admin/bots/${bot.id}/resume`],
    ] as const) {
      const res = await h.as(bot.apiToken, method, path).send({});
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}`).expect(200);
  });

  it('more than 20 failures from one address: 429, even with a good token, while other addresses still work', async () => {
    const ip = h.nextIp();
    for (let i = 0; i < 20; i++) {
      await h
        .as('bft_wrong_token_guess_000000000000', 'get', `/v1/bots/${bot.id}`)
        .set('X-Forwarded-For', ip)
        .expect(401);
    }
    const limited = await h.as('bft_wrong', 'get', `/v1/bots/${bot.id}`).set('X-Forwarded-For', ip).expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}`).set('X-Forwarded-For', ip).expect(429);
    await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}`).set('X-Forwarded-For', h.nextIp()).expect(200);
  });

  it('onboarding without any token needs an invite (403), with a wrong token is 401', async () => {
    const tg = h.telegram.createBot();
    const body = { name: 'No invite', telegramBotToken: tg.token, ownerTelegramId: 5 };
    const res = await h.http.post('/v1/bots').send(body).expect(403);
    expect(res.body.error.code).toBe('INVITE_INVALID');
    await h.as('bft_wrong', 'post', '/v1/bots').set('X-Forwarded-For', h.nextIp()).send(body).expect(401);
    // A tenant token is not the master's: it still needs an invite.
    await h.as(bot.apiToken, 'post', '/v1/bots').send(body).expect(403);
  });

  it('wrong invite codes count as failed credentials: past the limit even a good invite is refused and stays unused', async () => {
    const ip = h.nextIp();
    const invite = await h.createInvite();
    const tg = h.telegram.createBot();
    const body = { name: 'Guesser', telegramBotToken: tg.token, ownerTelegramId: 6 };
    for (let i = 0; i < 20; i++) {
      const res = await h.http
        .post('/v1/bots')
        .set('X-Forwarded-For', ip)
        .send({ ...body, inviteCode: `guess${String(i).padStart(20, '0')}` })
        .expect(403);
      expect(res.body.error.code).toBe('INVITE_INVALID');
    }
    const limited = await h.http
      .post('/v1/bots')
      .set('X-Forwarded-For', ip)
      .send({ ...body, inviteCode: invite.code })
      .expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    // A tenant token does not lift the limit on invites either.
    await h.as(bot.apiToken, 'post', '/v1/bots').set('X-Forwarded-For', ip).send(body).expect(429);
    // The invite was not consumed: from another address it still works, once.
    const created = await h.http
      .post('/v1/bots')
      .set('X-Forwarded-For', h.nextIp())
      .send({ ...body, inviteCode: invite.code })
      .expect(201);
    expect(created.body.apiToken).toMatch(/^bft_/);
    await h.http
      .post('/v1/bots')
      .set('X-Forwarded-For', h.nextIp())
      .send({ ...body, inviteCode: invite.code })
      .expect(403);
  });
});
