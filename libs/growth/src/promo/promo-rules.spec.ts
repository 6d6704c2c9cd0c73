import { DomainError, ErrorCode, MAX_MINOR } from '@botfleet/common';
import type { PromocodeEntity } from '@botfleet/dal';
import { commissionOf } from '../referrals/referral-commissions.service';
import {
  normalizePromoCode,
  orderChangeOf,
  promoRejected,
  promoRejectionOf,
  valueRange,
  windowRejection,
} from './promo-rules';

describe('promo code rules', () => {
  it('normalises what a customer types and refuses what cannot be a code', () => {
    expect(normalizePromoCode('  save20 ')).toBe('SAVE20');
    expect(normalizePromoCode('a_b-9')).toBe('A_B-9');
    for (const bad of ['', 'ab', 'x'.repeat(33), 'NO SPACE', 'ÄBC', '<b>x</b>', null, undefined]) {
      expect(normalizePromoCode(bad)).toBeNull();
    }
  });

  it('computes the discount: percent rounds down, never below a price of 1, extra days change no money', () => {
    expect(orderChangeOf({ kind: 'percent', value: 20 }, 50_000)).toEqual({ discountMinor: 10_000, extraDays: 0 });
    expect(orderChangeOf({ kind: 'percent', value: 33 }, 1_001)).toEqual({ discountMinor: 330, extraDays: 0 });
    expect(orderChangeOf({ kind: 'fixed', value: 5_000 }, 50_000)).toEqual({ discountMinor: 5_000, extraDays: 0 });
    expect(orderChangeOf({ kind: 'fixed', value: 90_000 }, 50_000)).toEqual({ discountMinor: 49_999, extraDays: 0 });
    expect(orderChangeOf({ kind: 'percent', value: 99 }, 1)).toEqual({ discountMinor: 0, extraDays: 0 });
    expect(orderChangeOf({ kind: 'extra_days', value: 7 }, 50_000)).toEqual({ discountMinor: 0, extraDays: 7 });
    expect(orderChangeOf({ kind: 'balance', value: 7 }, 50_000)).toEqual({ discountMinor: 0, extraDays: 0 });
    expect(orderChangeOf({ kind: 'percent', value: 99 }, MAX_MINOR).discountMinor).toBeLessThan(MAX_MINOR);
  });

  it('knows each kind’s range and the validity window', () => {
    expect(valueRange('percent')).toEqual({ min: 1, max: 99 });
    expect(valueRange('extra_days')).toEqual({ min: 1, max: 3650 });
    expect(valueRange('fixed').max).toBe(MAX_MINOR);
    const code = (over: Partial<PromocodeEntity>) =>
      ({ isActive: true, validFrom: null, validUntil: null, ...over }) as PromocodeEntity;
    const now = new Date('2026-11-29T10:00:00Z');
    expect(windowRejection(code({}), now)).toBeNull();
    expect(windowRejection(code({ isActive: false }), now)).toBe('unknown');
    expect(windowRejection(code({ validFrom: new Date('2026-11-30T00:00:00Z') }), now)).toBe('not_started');
    expect(windowRejection(code({ validUntil: now }), now)).toBe('ended');
  });

  it('carries the refusal reason in the error and reads it back', () => {
    const e = promoRejected('used_up');
    expect(e).toMatchObject({ code: ErrorCode.PROMO_CODE_REJECTED, details: { reason: 'used_up' } });
    expect(promoRejectionOf(e)).toBe('used_up');
    expect(promoRejectionOf(new DomainError(ErrorCode.PROMO_CODE_REJECTED, 'x', { reason: '<b>' }))).toBe('unknown');
    expect(promoRejectionOf(new DomainError(ErrorCode.CONFLICT, 'x'))).toBeNull();
    expect(promoRejectionOf(new Error('x'))).toBeNull();
  });

  it('rounds the referral commission down and never pays a negative one', () => {
    expect(commissionOf(400_000, 10)).toBe(40_000);
    expect(commissionOf(999, 10)).toBe(99);
    expect(commissionOf(-5, 10)).toBe(0);
    expect(commissionOf(1_000, 0)).toBe(0);
  });
});
