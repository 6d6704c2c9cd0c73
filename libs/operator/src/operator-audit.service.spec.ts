import type { AdminAuditRepository, OperatorAuditRow } from '@botfleet/platform';
import { OperatorAuditService } from './operator-audit.service';

/** A row as an older writer may have left it: credentials inside before/after. */
const leaky: OperatorAuditRow = {
  id: '1',
  actor: 'master:master',
  action: 'panel.updated',
  targetType: 'vpn_panel',
  targetId: 'p1',
  botId: null,
  botName: null,
  before: { name: 'A', credentials: { password: 'pw-1' }, settings: { apiKey: 'key-1', inboundId: 3 } },
  after: {
    name: 'B',
    settings: { api_key: 'key-2', nested: [{ merchantId: 'm-1', token: 't-1', privateKey: 'pk-1' }] },
  },
  createdAt: new Date('2026-01-01T00:00:00Z'),
};

describe('OperatorAuditService.page', () => {
  it('removes credentials on read, so a row written before a field was known secret does not show it', async () => {
    const rows = { page: jest.fn().mockResolvedValue([[leaky], 1]) } as unknown as AdminAuditRepository;
    const page = await new OperatorAuditService(rows).page({}, 1, 20);
    expect(page.items[0]).toEqual({
      id: '1',
      actor: 'master:master',
      action: 'panel.updated',
      targetType: 'vpn_panel',
      targetId: 'p1',
      bot: null,
      before: { name: 'A', settings: { inboundId: 3 } },
      after: { name: 'B', settings: { nested: [{}] } },
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(JSON.stringify(page)).not.toMatch(/pw-1|key-1|key-2|m-1|t-1|pk-1/);
  });

  it('removes keys spelled with hyphens (X-Api-Key, access-key) and cuts what is nested deeper than it checks', async () => {
    const row: OperatorAuditRow = {
      ...leaky,
      before: { headers: { 'X-Api-Key': 'hk-1', 'access-key': 'ak-1' } },
      after: { a: { b: { c: { d: { e: { f: { g: { secretish: 'deep-1' } } } } } } } },
    };
    const rows = { page: jest.fn().mockResolvedValue([[row], 1]) } as unknown as AdminAuditRepository;
    const page = await new OperatorAuditService(rows).page({}, 1, 20);
    expect(JSON.stringify(page)).not.toMatch(/hk-1|ak-1|deep-1/);
    expect(page.items[0].before).toEqual({ headers: {} });
  });

  it('keeps a URL but not the credentials it carries in its query or userinfo', async () => {
    const row: OperatorAuditRow = {
      ...leaky,
      before: { baseUrl: 'https://panel.example/api?token=tk-1&inbound=3' },
      after: { baseUrl: 'https://admin:pw-9@panel.example:8443/x?API_KEY=ak-9#sig=s-9', note: 'see ?token=not-a-url' },
    };
    const rows = { page: jest.fn().mockResolvedValue([[row], 1]) } as unknown as AdminAuditRepository;
    const page = await new OperatorAuditService(rows).page({}, 1, 20);
    expect(JSON.stringify(page)).not.toMatch(/tk-1|pw-9|ak-9|s-9/);
    expect(page.items[0].before).toEqual({ baseUrl: 'https://panel.example/api?token=***&inbound=3' });
    expect(page.items[0].after).toEqual({
      baseUrl: 'https://***@panel.example:8443/x?API_KEY=***#sig=***',
      note: 'see ?token=not-a-url',
    });
  });

  it('refuses a `from` after `to`, naming from', async () => {
    const rows = { page: jest.fn() } as unknown as AdminAuditRepository;
    await expect(
      new OperatorAuditService(rows).page({ from: new Date('2026-02-01'), to: new Date('2026-01-01') }, 1, 20),
    ).rejects.toMatchObject({ details: [{ field: 'from' }] });
    expect(rows.page).not.toHaveBeenCalled();
  });
});
