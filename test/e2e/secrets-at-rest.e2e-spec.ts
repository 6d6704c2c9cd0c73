import { execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SecretBox } from '@botfleet/secrets';
import request from 'supertest';
import { adminUrl, spawnApp, spawnWorker, waitFor } from '@botfleet/testing';
import { ApiHarness } from './support/api-harness';

/** RELIABILITY.md 9: a dump of every table shows no Telegram token, API token or panel credential. */
describe('Secrets at rest: pg_dump --data-only', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await ApiHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('contains no registered Telegram token, no API token and no panel credential in plain text', async () => {
    const secrets: string[] = [h.master];
    // Onboarded by invite and by the master; one API token rotated; one Telegram token replaced.
    const invite = await h.createInvite();
    const viaInvite = h.telegram.createBot();
    const created = await h.http
      .post('/v1/bots')
      .send({ name: 'Invited', telegramBotToken: viaInvite.token, ownerTelegramId: 77, inviteCode: invite.code })
      .expect(201);
    secrets.push(viaInvite.token, created.body.apiToken);
    const a = await h.registerBot();
    const b = await h.registerBot();
    secrets.push(a.telegramToken, a.apiToken, b.telegramToken, b.apiToken);
    const rotated = await h.as(a.apiToken, 'post', `/v1/bots/${a.id}/api-token/rotate`).expect(200);
    secrets.push(rotated.body.apiToken);
    h.telegram.deleteBot(b.telegramBotId);
    const renewed = h.telegram.createBot({ token: `${b.telegramBotId}:AD${'q'.repeat(33)}` });
    await h
      .as(b.apiToken, 'put', `/v1/bots/${b.id}/telegram-token`)
      .send({ telegramBotToken: renewed.token })
      .expect(200);
    secrets.push(renewed.token);

    const panelSecrets = { apiKey: 'rmw-secret-api-key-0123456789', password: 'marzban-Pa55word-xyz' };
    const p1 = await h
      .as(h.master, 'post', '/v1/admin/panels')
      .send({
        name: 'R1',
        type: 'remnawave',
        baseUrl: 'https://r1.example.com',
        credentials: { apiKey: panelSecrets.apiKey },
      })
      .expect(201);
    expect(p1.body.hasCredentials).toBe(true);
    expect(JSON.stringify(p1.body)).not.toContain(panelSecrets.apiKey);
    await h
      .as(h.master, 'post', '/v1/admin/panels')
      .send({
        name: 'M1',
        type: 'marzban',
        baseUrl: 'https://m1.example.com',
        credentials: { username: 'admin', password: panelSecrets.password },
        settings: { proxies: { vless: {} } },
      })
      .expect(201);
    secrets.push(panelSecrets.apiKey, panelSecrets.password);

    const url = new URL(adminUrl());
    url.pathname = `/${h.env.db.name}`;
    const dump = execFileSync('pg_dump', ['--data-only', '--no-owner', `--dbname=${url.toString()}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    // The dump really holds the data (else the test could not fail).
    expect(dump).toContain('COPY public.bots');
    expect(dump).toContain(a.id);
    expect(dump).toContain(`test_${a.telegramBotId}_bot`);
    for (const secret of secrets) {
      expect(dump.includes(secret)).toBe(false);
      // The secret half of a Telegram token alone must not be there either.
      const tail = secret.includes(':') ? secret.split(':')[1] : secret.slice(4);
      expect(dump.includes(tail)).toBe(false);
    }
  });

  it('key rotation: npm run secrets:reencrypt moves every stored secret to the new key, in batches, once', async () => {
    const bot = await h.registerBot();
    const apiKey = `rmw-rotation-key-${randomBytes(6).toString('hex')}`;
    const panel = await h
      .as(h.master, 'post', '/v1/admin/panels')
      .send({ name: 'Rot', type: 'remnawave', baseUrl: 'https://rot.example.com', credentials: { apiKey } })
      .expect(201);
    const merchantId = randomUUID();
    await h
      .as(h.master, 'put', `/v1/admin/bots/${bot.id}/features/zarinpal/allowed`)
      .send({ allowed: true })
      .expect(200);
    await h
      .as(bot.apiToken, 'put', `/v1/bots/${bot.id}/features/zarinpal`)
      .send({ enabled: true, config: { merchantId, sandbox: true } })
      .expect(200);
    const stored = async () => ({
      tokens: (await h.platformDb.query(`SELECT id, telegram_token_ciphertext AS c FROM bots`)) as {
        id: string;
        c: string;
      }[],
      panels: (await h.platformDb.query(`SELECT id, credentials_ciphertext AS c FROM vpn_panels`)) as {
        id: string;
        c: string;
      }[],
      merchant: (
        await h.platformDb.query(
          `SELECT config->>'merchantId' AS c FROM bot_feature_flags WHERE bot_id = $1 AND feature_key = 'zarinpal'`,
          [bot.id],
        )
      )[0].c as string,
    });
    const before = await stored();
    const all = (x: Awaited<ReturnType<typeof stored>>) => [
      ...x.tokens.map((t) => t.c),
      ...x.panels.map((p) => p.c),
      x.merchant,
    ];
    expect(all(before).every((c) => c.startsWith('v1.'))).toBe(true);
    const total = all(before).length;
    expect(total).toBeGreaterThan(5);

    const newKey = randomBytes(32).toString('base64');
    const rotated = { ...h.env.vars, ENCRYPTION_KEY: `${h.env.vars.ENCRYPTION_KEY},2:${newKey}` };
    const cli = join(__dirname, '..', '..', 'dist', 'apps', 'worker', 'src', 'cli', 'reencrypt-secrets.js');
    const reencrypt = async () => {
      const { stdout } = await promisify(execFile)(process.execPath, [cli, '--batch-size', '2'], {
        env: { PATH: process.env.PATH ?? '', ...rotated },
      });
      // Progress and the summary hold counts and places, never a value.
      for (const secret of [bot.telegramToken, apiKey, merchantId, newKey]) expect(stdout.includes(secret)).toBe(false);
      return JSON.parse(stdout.trim().split('\n').pop()!) as { reencrypted: number; current: number; failed: string[] };
    };
    const first = await reencrypt();
    expect(first).toMatchObject({ reencrypted: total, failed: [] });
    const after = await stored();
    expect(all(after).every((c) => c.startsWith('v2.'))).toBe(true);
    // Run again: nothing left to do.
    expect(await reencrypt()).toMatchObject({ reencrypted: 0, current: total, failed: [] });

    // The old key can go: with only version 2, every secret opens to what was stored.
    const onlyNew = new SecretBox(`2:${newKey}`);
    const t = after.tokens.find((x) => x.id === bot.id)!;
    expect(onlyNew.decrypt(t.c, bot.id)).toBe(bot.telegramToken);
    const p = after.panels.find((x) => x.id === panel.body.id)!;
    expect(JSON.parse(onlyNew.decrypt(p.c, panel.body.id))).toEqual({ apiKey });
    expect(onlyNew.decrypt(after.merchant, `feature:${bot.id}:zarinpal:merchantId`)).toBe(merchantId);
    // And a worker holding only the new key runs the bot (it decrypts the token to poll).
    const worker = await spawnWorker({ ...h.env.vars, ENCRYPTION_KEY: `2:${newKey}` });
    try {
      await h.telegram.waitForPolling(bot.telegramBotId, 20_000);
    } finally {
      await worker.stop();
    }
  });

  it('the API process logs no Telegram token, API token or master token, even at trace level and on failures', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const api = spawnApp('api', { ...h.env.vars, LOG_LEVEL: 'trace', API_PORT: String(port), API_HOST: '127.0.0.1' });
    try {
      const http = () => request(`http://127.0.0.1:${port}`);
      await waitFor(async () => (await http().get('/health/live')).status === 200, 20_000, 200);
      const tg = h.telegram.createBot();
      const created = await http()
        .post('/v1/bots')
        .set('Authorization', `Bearer ${h.master}`)
        .send({ name: 'Logged', telegramBotToken: tg.token, ownerTelegramId: 8 })
        .expect(201);
      const apiToken: string = created.body.apiToken;
      const botId: string = created.body.bot.id;
      const rejected = h.telegram.createBot();
      h.telegram.revokeToken(rejected.id);
      await http()
        .post('/v1/bots')
        .set('Authorization', `Bearer ${h.master}`)
        .send({ name: 'Rejected', telegramBotToken: rejected.token, ownerTelegramId: 8 })
        .expect(422);
      const down = h.telegram.createBot();
      h.telegram.setFaults(down.id, { failNext: { count: 1, status: 500 } });
      await http()
        .post('/v1/bots')
        .set('Authorization', `Bearer ${h.master}`)
        .send({ name: 'Down', telegramBotToken: down.token, ownerTelegramId: 8 })
        .expect(503);
      await http().get(`/v1/bots/${botId}`).set('Authorization', `Bearer ${apiToken}`).expect(200);
      await http().get(`/v1/bots/${botId}`).set('Authorization', `Bearer ${apiToken}x`).expect(401);
      const rotated = await http()
        .post(`/v1/bots/${botId}/api-token/rotate`)
        .set('Authorization', `Bearer ${apiToken}`)
        .expect(200);
      await http()
        .put(`/v1/bots/${botId}/telegram-token`)
        .set('Authorization', `Bearer ${rotated.body.apiToken}`)
        .send({ telegramBotToken: tg.token })
        .expect(200);
      await new Promise((r) => setTimeout(r, 200));
      const out = api.output();
      expect(out).toContain('/v1/bots'); // the requests were logged
      for (const secret of [tg.token, rejected.token, down.token, apiToken, rotated.body.apiToken, h.master]) {
        expect(out.includes(secret)).toBe(false);
        expect(out.includes(secret.split(':').pop()!.slice(4))).toBe(false);
      }
    } finally {
      await api.stop();
    }
  });
});
