import { randomUUID } from 'node:crypto';

import { REMNAWAVE_DEFAULT_SQUAD_UUID, RemnawaveEmulator } from '../../../testing/src/panels';
import { describePanelAdapterContract } from './panel-adapter.contract';
import { panelUsername } from './panel-username';
import { PanelSessionStore } from './panel-session.store';
import { RemnawaveAdapter } from './remnawave.adapter';

const API_KEY = 'rw-test-key-5b1f9e';
const WRONG_KEY = 'rw-wrong-key-c0ffee';

function adapterFor(emulator: RemnawaveEmulator, apiKey = API_KEY, timeoutMs?: number) {
  return new RemnawaveAdapter(
    {
      id: 'rw-1',
      type: 'remnawave',
      baseUrl: emulator.url,
      credentials: { apiKey },
      settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID], trafficLimitStrategy: 'NO_RESET' },
    },
    { sessions: new PanelSessionStore(), timeoutMs },
  );
}

describePanelAdapterContract<RemnawaveEmulator>({
  type: 'remnawave',
  auth: 'apiKey',
  wrongSecret: WRONG_KEY,
  supportsDeviceLimit: true,
  supportsTelegramId: true,
  userReadEndpoint: 'GET /api/users/by-username/:username',
  createEmulator: () => new RemnawaveEmulator({ apiKey: API_KEY }),
  createAdapter: (emulator, overrides) =>
    adapterFor(emulator, overrides.wrongCredentials ? WRONG_KEY : API_KEY, overrides.timeoutMs),
});

describe('RemnawaveAdapter specifics', () => {
  let emulator: RemnawaveEmulator;

  beforeEach(async () => {
    emulator = new RemnawaveEmulator({ apiKey: API_KEY });
    await emulator.start();
  });

  afterEach(() => emulator.stop());

  it('creates users in the configured squads with the configured reset strategy', async () => {
    const username = panelUsername(randomUUID(), 'remnawave');
    await adapterFor(emulator).upsertUser({
      username,
      expireAt: new Date(Date.now() + 86_400_000),
      trafficLimitBytes: 1024,
      deviceLimit: 2,
    });

    const raw = emulator.rawUser(username);
    expect(raw?.activeInternalSquads).toEqual([REMNAWAVE_DEFAULT_SQUAD_UUID]);
    expect(raw?.trafficLimitStrategy).toBe('NO_RESET');
    expect(raw?.hwidDeviceLimit).toBe(2);
  });

  it('rejects an extension into the past, as Remnawave validates it', async () => {
    const username = panelUsername(randomUUID(), 'remnawave');
    const adapter = adapterFor(emulator);
    await adapter.upsertUser({
      username,
      expireAt: new Date(Date.now() + 86_400_000),
      trafficLimitBytes: 0,
      deviceLimit: 0,
    });

    await expect(adapter.extendUser(username, { expireAt: new Date(Date.now() - 1_000) })).rejects.toMatchObject({
      code: 'PANEL_REJECTED',
    });
  });
});
