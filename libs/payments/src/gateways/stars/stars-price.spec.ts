import { discountedStars } from './stars.gateway';

/** The Stars price of a discounted order (a promo code lowers it in proportion; under one Star is not sold). */
describe('discountedStars', () => {
  it('is the plan price without a discount', () => {
    expect(discountedStars(99, 50_000, 0)).toBe(99);
  });

  it('falls in proportion with a discount, rounded up to a whole Star', () => {
    expect(discountedStars(99, 40_000, 10_000)).toBe(80); // 79.2
    expect(discountedStars(250, 500, 49_500)).toBe(3); // 2.5
    expect(discountedStars(100, 1_000, 49_000)).toBe(2); // exactly 2
    expect(discountedStars(50, 1_000, 49_000)).toBe(1); // exactly 1: still sold
  });

  it('is not sold for Stars when less than one Star is owed (a code that takes the whole price)', () => {
    expect(discountedStars(99, 1, 49_999)).toBeNull(); // the promo rules leave one minor unit
    expect(discountedStars(99, 500, 49_500)).toBeNull(); // 0.99 Star
    expect(discountedStars(250, 0, 50_000)).toBeNull(); // nothing left to pay
  });
});
