import { INestApplication } from '@nestjs/common';
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { applyEnv } from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { ApiHarness, RegisteredBot } from './support/api-harness';

/** An address of this machine that is not loopback, so a request from it looks like one from a proxy elsewhere. */
function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

describe('the client behind a proxy (TRUST_PROXY) and per-token rate limits', () => {
  let h: ApiHarness;
  let a: RegisteredBot;
  let b: RegisteredBot;
  const extra: INestApplication[] = [];
  let n = 0;

  /** Another API process on the same database, with its own settings and (unless given) its own Redis counters. */
  async function api(vars: Record<string, string>, listenOn?: string): Promise<INestApplication> {
    const restore = applyEnv({ ...h.env.vars, REDIS_PREFIX: `${h.env.redisPrefix}x${++n}`, ...vars });
    try {
      const app = await createApiApp();
      if (listenOn) await app.listen(0, listenOn);
      else await app.init();
      extra.push(app);
      return app;
    } finally {
      restore();
    }
  }

  const get = (target: INestApplication | string, bot: RegisteredBot, token: string, xff?: string) => {
    const r = request(typeof target === 'string' ? target : target.getHttpServer())
      .get(`/v1/bots/${bot.id}`)
      .set('Authorization', `Bearer ${token}`);
    return xff ? r.set('X-Forwarded-For', xff) : r;
  };

  beforeAll(async () => {
    h = await ApiHarness.start();
    a = await h.registerBot();
    b = await h.registerBot();
  });
  afterAll(async () => {
    for (const app of extra) await app.close();
    await h?.stop();
  });

  it('TRUST_PROXY unset: a forged X-Forwarded-For does not change who is counted, so the limit cannot be dodged', async () => {
    const app = await api({ TRUST_PROXY: '' });
    for (let i = 0; i < 20; i++) {
      await get(app, a, 'bft_wrong_guess_000000000000000', `198.51.100.${i + 1}`).expect(401);
    }
    // A new forged address is still the same client: refused, even with a right token.
    const res = await get(app, a, a.apiToken, '198.51.100.200').expect(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    await get(app, a, a.apiToken).expect(429);
  });

  it('TRUST_PROXY=1 behind a proxy that is not on loopback: two clients are counted apart, a forged hop changes nothing', async () => {
    const host = nonLoopbackAddress() ?? '127.0.0.1';
    const app = await api({ TRUST_PROXY: '1' }, '0.0.0.0');
    const url = `http://${host}:${(app.getHttpServer().address() as AddressInfo).port}`;
    // The proxy appends the client's address; client 1 guesses tokens.
    for (let i = 0; i < 20; i++) {
      await get(url, a, 'bft_wrong_guess_000000000000000', '203.0.113.1').expect(401);
    }
    await get(url, a, a.apiToken, '203.0.113.1').expect(429);
    // Client 1 forging a hop of its own before the proxy's: the proxy's entry (the last) still names it.
    await get(url, a, a.apiToken, '10.1.2.3, 203.0.113.1').expect(429);
    // Client 2, behind the same proxy, and the operator are served.
    await get(url, b, b.apiToken, '203.0.113.2').expect(200);
    await get(url, a, h.master, '203.0.113.3').expect(200);
  });

  it('API_RATE_LIMIT_PER_MINUTE: tenant A over its limit gets 429 with Retry-After, on every API process, while tenant B and the master are served', async () => {
    const prefix = `${h.env.redisPrefix}rl`;
    const one = await api({ API_RATE_LIMIT_PER_MINUTE: '5', REDIS_PREFIX: prefix });
    const two = await api({ API_RATE_LIMIT_PER_MINUTE: '5', REDIS_PREFIX: prefix });
    for (let i = 0; i < 3; i++) await get(one, a, a.apiToken).expect(200);
    for (let i = 0; i < 2; i++) await get(two, a, a.apiToken).expect(200);
    for (const app of [one, two]) {
      const res = await get(app, a, a.apiToken).expect(429);
      expect(res.body.error.code).toBe('RATE_LIMITED');
      const retryAfter = Number(res.headers['retry-after']);
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    }
    // Every route of A shares the budget.
    await request(one.getHttpServer())
      .get(`/v1/bots/${a.id}/plans`)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .expect(429);
    await get(one, b, b.apiToken).expect(200);
    await get(two, b, b.apiToken).expect(200);
    await get(one, a, h.master).expect(200);
  });
});
