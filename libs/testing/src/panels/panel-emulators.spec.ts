import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { MarzbanEmulator, RemnawaveEmulator, XuiEmulator, createPanelEmulator, type PanelEmulator } from '.';

/** The emulators must answer like the real panels, or the adapter tests prove nothing. */

async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; json?: unknown; form?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

describe('RemnawaveEmulator', () => {
  const emulator = new RemnawaveEmulator({ apiKey: 'k1' });
  const auth = { authorization: 'Bearer k1' };
  const future = () => new Date(Date.now() + 86_400_000).toISOString();

  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());
  afterEach(() => emulator.clearAccounts());

  it('refuses calls without the API token', async () => {
    const res = await call(`${emulator.url}/api/users/by-username/someone`);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ message: 'Unauthorized', statusCode: 401 });
  });

  it('creates a user in a { response } envelope and refuses the username twice with A019', async () => {
    const body = { username: 'bf_one', expireAt: future(), trafficLimitBytes: 5, hwidDeviceLimit: 1 };
    const created = await call(`${emulator.url}/api/users`, { method: 'POST', headers: auth, json: body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      response: { username: 'bf_one', status: 'ACTIVE', trafficLimitBytes: 5, userTraffic: { usedTrafficBytes: 0 } },
    });

    const again = await call(`${emulator.url}/api/users`, { method: 'POST', headers: auth, json: body });
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ errorCode: 'A019', message: 'User username already exists' });
  });

  it('validates like the contract: bad username, past expiry on update, unknown user, repeated enable', async () => {
    const bad = await call(`${emulator.url}/api/users`, {
      method: 'POST',
      headers: auth,
      json: { username: 'a b', expireAt: future() },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ message: 'Validation failed' });

    const seeded = emulator.seedAccount({ username: 'bf_two' });
    const past = await call(`${emulator.url}/api/users`, {
      method: 'PATCH',
      headers: auth,
      json: { username: 'bf_two', expireAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(past.status).toBe(400);

    const missing = await call(`${emulator.url}/api/users/by-username/nobody`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ errorCode: 'A063' });

    const enable = await call(`${emulator.url}/api/users/${seeded.externalId}/actions/enable`, {
      method: 'POST',
      headers: auth,
    });
    expect(enable.status).toBe(400);
    expect(enable.json).toMatchObject({ errorCode: 'A030' });
  });
});

describe('MarzbanEmulator', () => {
  const emulator = new MarzbanEmulator({ username: 'root', password: 'pw' });

  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());

  async function token(): Promise<string> {
    const res = await call(`${emulator.url}/api/admin/token`, {
      method: 'POST',
      form: { username: 'root', password: 'pw' },
    });
    return (res.json as { access_token: string }).access_token;
  }

  it('takes the login as a form only, and says so in FastAPI style', async () => {
    const asJson = await call(`${emulator.url}/api/admin/token`, {
      method: 'POST',
      json: { username: 'root', password: 'pw' },
    });
    expect(asJson.status).toBe(422);

    const wrong = await call(`${emulator.url}/api/admin/token`, {
      method: 'POST',
      form: { username: 'root', password: 'nope' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ detail: 'Incorrect username or password' });

    const ok = await call(`${emulator.url}/api/admin/token`, {
      method: 'POST',
      form: { username: 'root', password: 'pw' },
    });
    expect(ok.json).toMatchObject({ token_type: 'bearer' });
    const payload = (ok.json as { access_token: string }).access_token.split('.')[1];
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({ sub: 'root' });
  });

  it('refuses a token after expireAuthNow with 401 "Could not validate credentials"', async () => {
    const bearer = { authorization: `Bearer ${await token()}` };
    expect((await call(`${emulator.url}/api/admin`, { headers: bearer })).status).toBe(200);

    emulator.expireAuthNow();
    const refused = await call(`${emulator.url}/api/admin`, { headers: bearer });

    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({ detail: 'Could not validate credentials' });
  });

  it('creates users with a relative subscription_url, 409 on a taken name, 422 on a bad one', async () => {
    const bearer = { authorization: `Bearer ${await token()}` };
    const body = { username: 'bf_mz', proxies: { vless: {} }, expire: 2_000_000_000, data_limit: 0 };

    const created = await call(`${emulator.url}/api/user`, { method: 'POST', headers: bearer, json: body });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ username: 'bf_mz', status: 'active', data_limit: null, used_traffic: 0 });
    expect((created.json as { subscription_url: string }).subscription_url).toMatch(/^\/sub\//);

    const again = await call(`${emulator.url}/api/user`, { method: 'POST', headers: bearer, json: body });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ detail: 'User already exists' });

    const bad = await call(`${emulator.url}/api/user`, {
      method: 'POST',
      headers: bearer,
      json: { ...body, username: '_bad__name' },
    });
    expect(bad.status).toBe(422);
  });
});

describe('XuiEmulator', () => {
  const emulator = new XuiEmulator({ username: 'root', password: 'pw', sessionTtlMs: 600_000 });

  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());
  afterEach(() => emulator.clearAccounts());

  async function cookie(): Promise<string> {
    const res = await call(`${emulator.url}/login`, { method: 'POST', form: { username: 'root', password: 'pw' } });
    const setCookie = res.headers.getSetCookie()[0];
    expect(setCookie).toMatch(/^3x-ui=[^;]+;.*Max-Age=600/);
    return setCookie.split(';')[0];
  }

  function addClient(headers: Record<string, string>, email: string) {
    const client = {
      id: randomUUID(),
      email,
      totalGB: 0,
      expiryTime: 0,
      enable: true,
      limitIp: 0,
      tgId: 0,
      subId: 'abc',
    };
    return call(`${emulator.url}/panel/api/inbounds/addClient`, {
      method: 'POST',
      headers,
      json: { id: 1, settings: JSON.stringify({ clients: [client] }) },
    });
  }

  it('hides the API without a session: 404, or 401 for XHR', async () => {
    expect((await call(`${emulator.url}/panel/api/inbounds/list`)).status).toBe(404);
    const xhr = await call(`${emulator.url}/panel/api/inbounds/list`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(xhr.status).toBe(401);
  });

  it('answers a wrong login with HTTP 200 and success false', async () => {
    const res = await call(`${emulator.url}/login`, { method: 'POST', form: { username: 'root', password: 'nope' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ success: false });
    expect(res.headers.getSetCookie()).toHaveLength(0);
  });

  it('adds clients, refuses a duplicate email panel-wide, and reports unknown emails as obj null', async () => {
    const headers = { cookie: await cookie() };
    expect((await addClient(headers, 'bf_x')).json).toMatchObject({ success: true });

    const duplicate = await addClient(headers, 'bf_x');
    expect(duplicate.json).toMatchObject({ success: false, msg: expect.stringContaining('Duplicate email: bf_x') });

    const traffic = await call(`${emulator.url}/panel/api/inbounds/getClientTraffics/bf_x`, { headers });
    expect(traffic.json).toMatchObject({
      success: true,
      obj: { email: 'bf_x', inboundId: 1, subId: 'abc', up: 0, down: 0 },
    });
    const unknown = await call(`${emulator.url}/panel/api/inbounds/getClientTraffics/nobody`, { headers });
    expect(unknown.json).toEqual({ success: true, msg: '', obj: null });

    const inbound = await call(`${emulator.url}/panel/api/inbounds/get/1`, { headers });
    const settings = JSON.parse((inbound.json as { obj: { settings: string } }).obj.settings) as { clients: unknown[] };
    expect(settings.clients).toHaveLength(1);
  });

  it('refuses to delete the last client of an inbound, as 3x-ui does', async () => {
    const headers = { cookie: await cookie() };
    await addClient(headers, 'bf_last');
    const id = emulator.account('bf_last')?.externalId;

    const res = await call(`${emulator.url}/panel/api/inbounds/1/delClient/${id}`, { method: 'POST', headers });

    expect(res.json).toMatchObject({ success: false, msg: expect.stringContaining('no client remained in Inbound') });
    expect(emulator.accountCount()).toBe(1);
  });

  it('refuses a session after expireAuthNow', async () => {
    const headers = { cookie: await cookie() };
    expect((await call(`${emulator.url}/panel/api/inbounds/list`, { headers })).status).toBe(200);
    emulator.expireAuthNow();
    expect((await call(`${emulator.url}/panel/api/inbounds/list`, { headers })).status).toBe(404);
  });
});

describe('emulator faults and counters', () => {
  let emulator: PanelEmulator;

  beforeEach(async () => {
    emulator = createPanelEmulator('marzban', { password: 'pw' });
    await emulator.start();
  });
  afterEach(() => emulator.stop());

  it('refuses connections while down, and serves again on the same URL when up', async () => {
    const url = emulator.url;
    await emulator.down('refuse');
    await expect(fetch(`${url}/api/admin`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    await emulator.up();
    expect(emulator.url).toBe(url);
    expect((await call(`${url}/api/admin`)).status).toBe(401);
  });

  it('answers 503 in 503 mode, fails the next n requests, and delays when slow', async () => {
    await emulator.down('503');
    expect((await call(`${emulator.url}/api/admin`)).status).toBe(503);
    await emulator.up();

    emulator.fail5xxNext(2, 502);
    expect((await call(`${emulator.url}/api/admin`)).status).toBe(502);
    expect((await call(`${emulator.url}/api/admin`)).status).toBe(502);
    expect((await call(`${emulator.url}/api/admin`)).status).toBe(401);

    emulator.slow(150);
    const started = Date.now();
    await call(`${emulator.url}/api/admin`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('counts logins and calls per endpoint pattern', async () => {
    await call(`${emulator.url}/api/admin/token`, { method: 'POST', form: { username: 'admin', password: 'x' } });
    await call(`${emulator.url}/api/user/a`);
    await call(`${emulator.url}/api/user/b`);

    expect(emulator.logins).toBe(1);
    expect(emulator.calls('GET /api/user/:username')).toBe(2);
    expect(emulator.totalCalls()).toBe(3);
    emulator.resetCounters();
    expect(emulator.totalCalls()).toBe(0);
  });
});

describe('standalone emulator (main.ts)', () => {
  it('starts the requested panel and prints one JSON line with its URL', async () => {
    // Compiles the TypeScript sources on the fly with @swc/core, the compiler the build already uses.
    const loader = [
      "const fs = require('node:fs');",
      "const { transformSync } = require('@swc/core');",
      "require.extensions['.ts'] = (module, filename) => {",
      "  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { filename,",
      "    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });",
      '  module._compile(code, filename);',
      '};',
      `require(${JSON.stringify(join(__dirname, 'main.ts'))});`,
    ].join('\n');
    const child = spawn(process.execPath, ['-e', loader], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        PANEL_EMULATOR_TYPE: 'xui',
        PANEL_EMULATOR_PORT: '0',
        PANEL_EMULATOR_PASSWORD: 'secret-pw',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
      });
      const printed = JSON.parse(line) as { type: string; url: string };
      expect(printed.type).toBe('xui');
      expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(line).not.toContain('secret-pw');

      const login = await call(`${printed.url}/login`, {
        method: 'POST',
        form: { username: 'admin', password: 'secret-pw' },
      });
      expect(login.json).toMatchObject({ success: true });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }, 20_000);
});
