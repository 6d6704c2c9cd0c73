import { randomUUID } from 'node:crypto';

import { MarzbanEmulator } from '../../../testing/src/panels';
import { MarzbanAdapter } from './marzban.adapter';
import { describePanelAdapterContract, expectCode } from './panel-adapter.contract';
import { panelUsername } from './panel-username';
import { PanelSessionStore } from './panel-session.store';
import { ErrorCode } from '@botfleet/common';

const PASSWORD = 'mz-test-password-71c2';
const WRONG_PASSWORD = 'mz-wrong-password-e4d9';

interface AdapterOptions {
  password?: string;
  sessions?: PanelSessionStore;
  timeoutMs?: number;
  now?: () => number;
}

function adapterFor(emulator: MarzbanEmulator, options: AdapterOptions = {}) {
  return new MarzbanAdapter(
    {
      id: 'mz-1',
      type: 'marzban',
      baseUrl: emulator.url,
      credentials: { username: 'admin', password: options.password ?? PASSWORD },
      settings: { proxies: { vless: { flow: '' } }, inbounds: { vless: ['VLESS TCP REALITY'] } },
    },
    { sessions: options.sessions ?? new PanelSessionStore(), timeoutMs: options.timeoutMs, now: options.now },
  );
}

describePanelAdapterContract<MarzbanEmulator>({
  type: 'marzban',
  auth: 'login',
  wrongSecret: WRONG_PASSWORD,
  supportsDeviceLimit: false,
  supportsTelegramId: false,
  userReadEndpoint: 'GET /api/user/:username',
  createEmulator: () => new MarzbanEmulator({ password: PASSWORD }),
  createAdapter: (emulator, overrides) =>
    adapterFor(emulator, {
      password: overrides.wrongCredentials ? WRONG_PASSWORD : PASSWORD,
      sessions: overrides.sessions,
      timeoutMs: overrides.timeoutMs,
    }),
});

describe('MarzbanAdapter specifics', () => {
  const spec = () => ({
    username: panelUsername(randomUUID(), 'marzban'),
    expireAt: new Date(Date.now() + 86_400_000),
    trafficLimitBytes: 1024,
    deviceLimit: 0,
  });

  it('turns the relative subscription_url Marzban returns into an absolute link on the panel', async () => {
    const emulator = new MarzbanEmulator({ password: PASSWORD });
    await emulator.start();
    try {
      const wanted = spec();
      const user = await adapterFor(emulator).upsertUser(wanted);
      expect(emulator.rawUser(wanted.username)).toBeDefined();
      expect(user.subscriptionUrl).toMatch(new RegExp(`^${emulator.url}/sub/[\\w-]+$`));
    } finally {
      await emulator.stop();
    }
  });

  it('keeps an absolute subscription_url as the panel gives it', async () => {
    const emulator = new MarzbanEmulator({ password: PASSWORD, subscriptionUrlPrefix: 'https://sub.example.com' });
    await emulator.start();
    try {
      const user = await adapterFor(emulator).upsertUser(spec());
      expect(user.subscriptionUrl).toMatch(/^https:\/\/sub\.example\.com\/sub\/[\w-]+$/);
    } finally {
      await emulator.stop();
    }
  });

  it('logs in again before the token expires instead of waiting for a 401', async () => {
    const emulator = new MarzbanEmulator({ password: PASSWORD, tokenTtlMs: 60_000 });
    await emulator.start();
    try {
      let clock = Date.now();
      const adapter = adapterFor(emulator, { now: () => clock });
      const wanted = spec();
      await adapter.upsertUser(wanted);
      expect(emulator.logins).toBe(1);
      emulator.resetCounters();

      clock += 120_000; // past the token's exp claim
      emulator.expireAuthNow(); // and the panel agrees it is dead
      await adapter.getUser(wanted.username);

      expect(emulator.logins).toBe(1);
      // No request was wasted on the dead token.
      expect(emulator.calls('GET /api/user/:username')).toBe(1);
    } finally {
      await emulator.stop();
    }
  });

  it('treats a password the panel refuses after a change as PANEL_AUTH_FAILED', async () => {
    const emulator = new MarzbanEmulator({ password: PASSWORD });
    await emulator.start();
    try {
      const adapter = adapterFor(emulator);
      await adapter.healthCheck();
      emulator.setPassword('rotated-elsewhere');
      emulator.expireAuthNow();

      await expectCode(adapter.getUser('bf_anyone'), ErrorCode.PANEL_AUTH_FAILED);
      // One failed re-login, not a loop.
      expect(emulator.logins).toBe(2);
    } finally {
      await emulator.stop();
    }
  });
});
