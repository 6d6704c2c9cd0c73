import { AUDIT_TRUNCATED, auditSafe } from './audit.service';

describe('auditSafe', () => {
  it('drops secrets and masks card numbers, keeps the rest', () => {
    const out = auditSafe({
      name: 'Shop',
      telegramBotToken: '1:x',
      apiTokenHash: 'abc',
      credentials: { password: 'p' },
      cardNumber: '6037990000000006',
      nested: { webhookSecret: 's', ok: 1 },
      at: new Date('2026-01-01T00:00:00Z'),
    });
    expect(out).toEqual({ name: 'Shop', cardNumber: '••••0006', nested: { ok: 1 }, at: '2026-01-01T00:00:00.000Z' });
  });

  it('never passes on unchecked what is nested deeper than it keeps: a password six levels down is cut', () => {
    const deep = { a: { b: { c: { d: { e: { password: 'pw-deep', f: { g: 1 } } } } } } };
    const out = auditSafe(deep);
    expect(JSON.stringify(out)).not.toContain('pw-deep');
    expect(out).toEqual({ a: { b: { c: { d: { e: { f: AUDIT_TRUNCATED } } } } } });
  });
});
