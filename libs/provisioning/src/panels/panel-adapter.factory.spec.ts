import { ErrorCode } from '@botfleet/common';

import { MarzbanAdapter } from './marzban.adapter';
import { createPanelAdapter, parsePanelConfig } from './panel-adapter.factory';
import { RemnawaveAdapter } from './remnawave.adapter';
import { XuiAdapter } from './xui.adapter';

describe('parsePanelConfig and createPanelAdapter', () => {
  it('accepts each panel type and builds its adapter', () => {
    const remnawave = parsePanelConfig({
      id: 'p1',
      type: 'remnawave',
      baseUrl: 'https://rw.example.com',
      credentials: { apiKey: 'k' },
      settings: { trafficLimitStrategy: 'MONTH' },
    });
    const marzban = parsePanelConfig({
      id: 'p2',
      type: 'marzban',
      baseUrl: 'https://mz.example.com',
      credentials: { username: 'u', password: 'p' },
      settings: { proxies: { vless: {} } },
    });
    const xui = parsePanelConfig({
      id: 'p3',
      type: 'xui',
      baseUrl: 'https://x.example.com:2053/secret',
      credentials: { username: 'u', password: 'p' },
      settings: { inboundId: 3, subscriptionBaseUrl: 'https://x.example.com:2096/sub/' },
    });

    expect(createPanelAdapter(remnawave)).toBeInstanceOf(RemnawaveAdapter);
    expect(createPanelAdapter(marzban)).toBeInstanceOf(MarzbanAdapter);
    expect(createPanelAdapter(xui)).toBeInstanceOf(XuiAdapter);
    expect(createPanelAdapter(xui).panelId).toBe('p3');
  });

  it('lists every problem in one VALIDATION_FAILED and never echoes secrets', () => {
    let caught: unknown;
    try {
      parsePanelConfig({
        id: 'p4',
        type: 'xui',
        baseUrl: 'ftp://nope',
        credentials: { username: 'u', password: 'hunter2-secret' },
        settings: { inboundId: -1 },
      });
    } catch (err: unknown) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: ErrorCode.VALIDATION_FAILED });
    const message = (caught as Error).message;
    expect(message).toContain('baseUrl');
    expect(message).toContain('inboundId');
    expect(message).toContain('subscriptionBaseUrl');
    expect(message).not.toContain('hunter2-secret');
  });

  it('refuses a Marzban panel without proxies and an unknown type', () => {
    const base = { id: 'p5', baseUrl: 'https://p.example.com', credentials: { username: 'u', password: 'p' } };
    expect(() => parsePanelConfig({ ...base, type: 'marzban', settings: { proxies: {} } })).toThrow(/settings.proxies/);
    expect(() => parsePanelConfig({ ...base, type: 'hiddify' })).toThrow(/type must be/);
  });
});
