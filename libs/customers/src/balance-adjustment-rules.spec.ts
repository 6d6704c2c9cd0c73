import { MAX_MINOR } from '@botfleet/common';
import { ADJUST_REASON_MAX, parseBalanceAdjustment } from './balance-adjustment-rules';

describe('a balance adjustment typed by a bot admin', () => {
  it('reads the sign, the amount in minor units and the reason', () => {
    expect(parseBalanceAdjustment('+50000 refund for downtime')).toEqual({
      amountMinor: 50_000,
      reason: 'refund for downtime',
    });
    expect(parseBalanceAdjustment('-20000 chargeback')).toEqual({ amountMinor: -20_000, reason: 'chargeback' });
    expect(parseBalanceAdjustment('−7 typo fixed')).toEqual({ amountMinor: -7, reason: 'typo fixed' });
  });

  it('refuses no sign, zero, more than MAX_MINOR, no reason or a reason too long', () => {
    for (const bad of [
      '50000 no sign',
      '+0 nothing',
      `+${MAX_MINOR + 1} too much`,
      '+500',
      '+500    ',
      `+500 ${'x'.repeat(ADJUST_REASON_MAX + 1)}`,
    ]) {
      expect({ bad, parsed: parseBalanceAdjustment(bad) }).toEqual({ bad, parsed: null });
    }
    expect(parseBalanceAdjustment(`-${MAX_MINOR} ${'x'.repeat(ADJUST_REASON_MAX)}`)?.amountMinor).toBe(-MAX_MINOR);
  });
});
