import { MAX_MINOR } from '../validation';
import { parseTypedPlanPrice } from './plans.service';

describe('a plan price typed by a bot admin', () => {
  it('is digits only, 1 to MAX_MINOR minor units', () => {
    expect(parseTypedPlanPrice('50000')).toBe(50_000);
    expect(parseTypedPlanPrice('1')).toBe(1);
    expect(parseTypedPlanPrice(String(MAX_MINOR))).toBe(MAX_MINOR);
    for (const bad of ['0', '', '-5', '5.5', '1,000', ' 5', String(MAX_MINOR + 1), '12345678901234567']) {
      expect({ bad, price: parseTypedPlanPrice(bad) }).toEqual({ bad, price: null });
    }
  });
});
