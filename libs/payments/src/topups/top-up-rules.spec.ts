import { DomainError, ErrorCode } from '@botfleet/common';
import {
  assertTopUpAmount,
  DEFAULT_MAX_TOP_UP_MINOR,
  differenceToTopUp,
  isTopUpAmount,
  mayTopUp,
  topUpForOrder,
  minorDigits,
  parseTypedAmount,
  topUpLimits,
  usablePresets,
} from './top-up-rules';

describe('top-up rules', () => {
  it('limits come from the wallet feature config, with a default maximum and a minimum of at least 1', () => {
    expect(topUpLimits({})).toEqual({ minMinor: 1, maxMinor: DEFAULT_MAX_TOP_UP_MINOR });
    expect(topUpLimits({ minTopUpMinor: 5_000, maxTopUpMinor: 90_000 })).toEqual({ minMinor: 5_000, maxMinor: 90_000 });
    expect(topUpLimits({ minTopUpMinor: 0 })).toMatchObject({ minMinor: 1 });
    // A maximum below the minimum leaves the minimum only; junk is ignored.
    expect(topUpLimits({ minTopUpMinor: 9_000, maxTopUpMinor: 100 })).toEqual({ minMinor: 9_000, maxMinor: 9_000 });
    expect(topUpLimits({ minTopUpMinor: '5', maxTopUpMinor: 1.5 })).toEqual({
      minMinor: 1,
      maxMinor: DEFAULT_MAX_TOP_UP_MINOR,
    });
  });

  it('presets outside the limits, repeated or not integers are not offered', () => {
    const limits = { minMinor: 10, maxMinor: 1_000 };
    expect(usablePresets([5, 10, 500, 500, 1_000, 1_001, 7.5, '100'], limits)).toEqual([10, 500, 1_000]);
  });

  it('an amount outside the limits is VALIDATION_FAILED naming amountMinor', () => {
    const limits = { minMinor: 10, maxMinor: 1_000 };
    expect(() => assertTopUpAmount(10, limits)).not.toThrow();
    expect(() => assertTopUpAmount(1_000, limits)).not.toThrow();
    for (const bad of [9, 1_001, 0, -10, 10.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2]) {
      let err: unknown;
      try {
        assertTopUpAmount(bad, limits);
      } catch (e) {
        err = e;
      }
      expect(DomainError.is(err, ErrorCode.VALIDATION_FAILED)).toBe(true);
      expect((err as DomainError).details).toEqual([
        { field: 'amountMinor', errors: ['must be an integer between 10 and 1000'] },
      ]);
    }
  });

  it('the difference for an order is what the wallet lacks, raised to the minimum; null when covered or too large', () => {
    const limits = { minMinor: 10_000, maxMinor: 100_000 };
    expect(differenceToTopUp(30_000, 80_000, limits)).toBe(50_000);
    expect(differenceToTopUp(75_000, 80_000, limits)).toBe(10_000);
    expect(differenceToTopUp(80_000, 80_000, limits)).toBeNull();
    expect(differenceToTopUp(0, 200_000, limits)).toBeNull();
  });

  it('typed amounts: digits with separators, Persian and Arabic digits, decimals only as far as the currency has', () => {
    expect(minorDigits('IRR')).toBe(0);
    expect(minorDigits('USD')).toBe(2);
    expect(parseTypedAmount('150000', 0)).toBe(150_000);
    expect(parseTypedAmount(' 150,000 ', 0)).toBe(150_000);
    expect(parseTypedAmount('1 500 000', 0)).toBe(1_500_000);
    expect(parseTypedAmount('۱۵۰٬۰۰۰', 0)).toBe(150_000);
    expect(parseTypedAmount('١٥٠٠٠٠', 0)).toBe(150_000);
    expect(parseTypedAmount('10.5', 2)).toBe(1_050);
    expect(parseTypedAmount('10', 2)).toBe(1_000);
    for (const bad of [
      '',
      'abc',
      '-5',
      '+5',
      '10.5',
      '1,50',
      '1e6',
      '0x10',
      '12,3456',
      '99999999999999999',
      '<b>1</b>',
    ]) {
      expect({ bad, parsed: parseTypedAmount(bad, 0) }).toEqual({ bad, parsed: null });
    }
    expect(parseTypedAmount('10.505', 2)).toBeNull();
  });
});

describe('who may top up, and by how much for an order', () => {
  const limits = { minMinor: 10_000, maxMinor: 500_000 };

  it('a top-up amount is a whole number within the limits', () => {
    expect([10_000, 500_000, 123_456].map((a) => isTopUpAmount(a, limits))).toEqual([true, true, true]);
    expect([9_999, 500_001, 10_000.5, Number.NaN].map((a) => isTopUpAmount(a, limits))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('a wallet can be topped up when card to card or one of the gateways is on', () => {
    const gateways = ['zarinpal', 'cryptobot'];
    expect(mayTopUp(new Set(['wallet', 'card_to_card']), gateways)).toBe(true);
    expect(mayTopUp(new Set(['wallet', 'cryptobot']), gateways)).toBe(true);
    expect(mayTopUp(new Set(['wallet', 'telegram_stars']), gateways)).toBe(false);
  });

  it('an order the wallet covers is paid now; a lack is topped up (at least the minimum) unless beyond the maximum', () => {
    expect(topUpForOrder(50_000, 50_000, limits)).toEqual({ kind: 'covered' });
    expect(topUpForOrder(45_000, 50_000, limits)).toEqual({ kind: 'topUp', amountMinor: 10_000 });
    expect(topUpForOrder(0, 300_000, limits)).toEqual({ kind: 'topUp', amountMinor: 300_000 });
    expect(topUpForOrder(0, 600_000, limits)).toEqual({ kind: 'beyondLimit', maxMinor: 500_000 });
  });
});
