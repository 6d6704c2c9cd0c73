import { randomUUID } from 'node:crypto';

import { ErrorCode } from '@botfleet/common';

import { XuiEmulator, type XuiEmulatorOptions } from '../../../testing/src/panels';
import { describePanelAdapterContract, expectCode } from './panel-adapter.contract';
import { panelUsername } from './panel-username';
import { PanelSessionStore } from './panel-session.store';
import { XuiAdapter } from './xui.adapter';

const PASSWORD = 'xui-test-password-3a8e';
const WRONG_PASSWORD = 'xui-wrong-password-91bd';

interface AdapterOptions {
  password?: string;
  sessions?: PanelSessionStore;
  timeoutMs?: number;
  inboundId?: number;
  now?: () => number;
}

function adapterFor(emulator: XuiEmulator, options: AdapterOptions = {}) {
  return new XuiAdapter(
    {
      id: 'xui-1',
      type: 'xui',
      baseUrl: emulator.url,
      credentials: { username: 'admin', password: options.password ?? PASSWORD },
      settings: { inboundId: options.inboundId ?? 1, subscriptionBaseUrl: `${emulator.url}/sub/` },
    },
    { sessions: options.sessions ?? new PanelSessionStore(), timeoutMs: options.timeoutMs, now: options.now },
  );
}

function emulatorWith(options: XuiEmulatorOptions = {}) {
  return new XuiEmulator({ password: PASSWORD, ...options });
}

describePanelAdapterContract<XuiEmulator>({
  type: 'xui',
  auth: 'login',
  wrongSecret: WRONG_PASSWORD,
  supportsDeviceLimit: true,
  supportsTelegramId: true,
  userReadEndpoint: 'GET /panel/api/inbounds/getClientTraffics/:email',
  createEmulator: () => emulatorWith(),
  createAdapter: (emulator, overrides) =>
    adapterFor(emulator, {
      password: overrides.wrongCredentials ? WRONG_PASSWORD : PASSWORD,
      sessions: overrides.sessions,
      timeoutMs: overrides.timeoutMs,
    }),
});

describe('XuiAdapter specifics', () => {
  let emulator: XuiEmulator;
  const spec = () => ({
    username: panelUsername(randomUUID(), 'xui'),
    expireAt: new Date(Date.now() + 86_400_000),
    trafficLimitBytes: 1024,
    deviceLimit: 2,
  });

  afterEach(() => emulator.stop());

  it('builds the link from the subscription base URL and the client subId', async () => {
    emulator = emulatorWith();
    await emulator.start();
    const wanted = spec();
    const user = await adapterFor(emulator).upsertUser(wanted);

    const subId = String(emulator.rawClient(wanted.username)?.client.subId);
    expect(subId).toMatch(/^[a-z0-9]{16}$/);
    expect(user.subscriptionUrl).toBe(`${emulator.url}/sub/${subId}`);
  });

  it('removes a client outright when the inbound has others', async () => {
    emulator = emulatorWith();
    await emulator.start();
    emulator.seedAccount({ username: 'operator-own-client' });
    const adapter = adapterFor(emulator);
    const wanted = spec();
    await adapter.upsertUser(wanted);

    await adapter.deleteUser(wanted.username);

    expect(emulator.accounts().map((a) => a.username)).toEqual(['operator-own-client']);
  });

  it('retires the last client of an inbound, which 3x-ui refuses to delete, and frees its username', async () => {
    emulator = emulatorWith();
    await emulator.start();
    const adapter = adapterFor(emulator);
    const wanted = spec();
    const first = await adapter.upsertUser(wanted);

    await adapter.deleteUser(wanted.username);

    const [retired] = emulator.accounts();
    expect(emulator.accounts()).toHaveLength(1);
    expect(retired.username).not.toBe(wanted.username);
    expect(retired.enabled).toBe(false);
    expect(retired.subscriptionUrl).not.toBe(first.subscriptionUrl);
    expect((await fetch(first.subscriptionUrl)).status).not.toBe(200);
    await expectCode(adapter.getUser(wanted.username), ErrorCode.PANEL_USER_NOT_FOUND);
    // The name is free again: a new purchase makes a fresh account.
    const again = await adapter.upsertUser(wanted);
    expect(again.externalId).not.toBe(first.externalId);
  });

  it('creates Trojan clients with a password as their key', async () => {
    emulator = emulatorWith({ inbounds: [{ id: 7, protocol: 'trojan', port: 8443 }] });
    await emulator.start();
    const adapter = adapterFor(emulator, { inboundId: 7 });
    const wanted = spec();
    await adapter.upsertUser(wanted);
    await adapter.setEnabled(wanted.username, false);

    const raw = emulator.rawClient(wanted.username);
    expect(raw?.inboundId).toBe(7);
    expect(typeof raw?.client.password).toBe('string');
    expect((await adapter.getUser(wanted.username)).status).toBe('disabled');
  });

  it('reports a missing inbound as an unhealthy, rejecting panel', async () => {
    emulator = emulatorWith();
    await emulator.start();
    const adapter = adapterFor(emulator, { inboundId: 99 });

    expect(await adapter.healthCheck()).toMatchObject({ ok: false, code: ErrorCode.PANEL_REJECTED });
    await expectCode(adapter.upsertUser(spec()), ErrorCode.PANEL_REJECTED);
  });

  it('renews the session cookie when its Max-Age has passed, without a refused request', async () => {
    emulator = emulatorWith({ sessionTtlMs: 60_000 });
    await emulator.start();
    let clock = Date.now();
    const adapter = adapterFor(emulator, { now: () => clock });
    const wanted = spec();
    await adapter.upsertUser(wanted);
    emulator.resetCounters();

    clock += 120_000;
    emulator.expireAuthNow();
    await adapter.getUser(wanted.username);

    expect(emulator.logins).toBe(1);
    expect(emulator.calls('GET /panel/api/inbounds/getClientTraffics/:email')).toBe(1);
  });

  it('reports a wrong web base path as PANEL_REJECTED, not as bad credentials', async () => {
    emulator = emulatorWith();
    await emulator.start();
    const adapter = new XuiAdapter(
      {
        id: 'xui-2',
        type: 'xui',
        baseUrl: `${emulator.url}/wrong-base-path`,
        credentials: { username: 'admin', password: PASSWORD },
        settings: { inboundId: 1, subscriptionBaseUrl: `${emulator.url}/sub/` },
      },
      { sessions: new PanelSessionStore() },
    );

    await expectCode(adapter.getUser('bf_x'), ErrorCode.PANEL_REJECTED);
  });
});
