import { randomUUID } from 'node:crypto';

import { ErrorCode } from '@botfleet/common';

import { PANEL_TYPES } from './panel.port';
import { PANEL_USERNAME_RULES, panelUsername, subscriptionIdFromPanelUsername } from './panel-username';

describe('panelUsername', () => {
  it('is deterministic and the same on every panel type', () => {
    const id = randomUUID();
    const names = PANEL_TYPES.map((type) => panelUsername(id, type));
    expect(new Set(names).size).toBe(1);
    expect(panelUsername(id, 'marzban')).toBe(names[0]);
    expect(panelUsername(id.toUpperCase(), 'marzban')).toBe(names[0]);
  });

  it("satisfies every panel's username rule, at the extremes of the uuid range too", () => {
    const ids = [
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      ...Array.from({ length: 200 }, () => randomUUID()),
    ];
    for (const id of ids) {
      for (const type of PANEL_TYPES) {
        const name = panelUsername(id, type);
        expect(name).toMatch(PANEL_USERNAME_RULES[type]);
        expect(name).toHaveLength(28);
        // Marzban's documented rule: 3–32 characters of a-z, 0-9 and underscores.
        expect(name).toMatch(/^[a-z0-9_]{3,32}$/);
      }
    }
  });

  it('gives different subscriptions different names, including ids differing only at the end', () => {
    const a = panelUsername('1b4e28ba-2fa1-11d2-883f-0016d3cca427', 'marzban');
    const b = panelUsername('1b4e28ba-2fa1-11d2-883f-0016d3cca428', 'marzban');
    expect(a).not.toBe(b);
    const many = new Set(Array.from({ length: 1000 }, () => panelUsername(randomUUID(), 'xui')));
    expect(many.size).toBe(1000);
  });

  it('maps back to the subscription id', () => {
    const id = randomUUID();
    expect(subscriptionIdFromPanelUsername(panelUsername(id, 'remnawave'))).toBe(id);
    expect(subscriptionIdFromPanelUsername('someone_else')).toBeNull();
  });

  it('refuses an id that is not a uuid', () => {
    expect(() => panelUsername('42', 'marzban')).toThrow(
      expect.objectContaining({ code: ErrorCode.VALIDATION_FAILED }),
    );
  });
});
