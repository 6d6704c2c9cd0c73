import { cheapestWholesaleCost, isWholesaleWalletLow, LOW_WALLET_SALES } from './wholesale';

describe("the shop's wholesale wallet figures", () => {
  const price = { perPlanMinor: 1_000, perGbMinor: 10, perDayMinor: 0, unlimitedTrafficGb: 500 };

  it('the cheapest sale is the smallest wholesale cost among the plans on sale; none without plans', () => {
    const plans = [
      { trafficLimitGb: 100, periodDays: 30 },
      { trafficLimitGb: 10, periodDays: 30 },
      { trafficLimitGb: 0, periodDays: 30 },
    ];
    expect(cheapestWholesaleCost(price, plans)).toBe(1_100);
    expect(cheapestWholesaleCost(price, [])).toBeNull();
    expect(cheapestWholesaleCost(null, plans)).toBe(0);
  });

  it(`is low with nothing free, or with less than ${LOW_WALLET_SALES} of the cheapest sale`, () => {
    expect(isWholesaleWalletLow(0, null)).toBe(true);
    expect(isWholesaleWalletLow(1, null)).toBe(false);
    expect(isWholesaleWalletLow(1_100 * LOW_WALLET_SALES - 1, 1_100)).toBe(true);
    expect(isWholesaleWalletLow(1_100 * LOW_WALLET_SALES, 1_100)).toBe(false);
  });
});
