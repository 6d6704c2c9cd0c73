import type { PlanEntity, WholesalePriceEntity } from '@botfleet/dal';

export const BYTES_PER_GB = 1024 ** 3;

/**
 * What the operator charges a tenant for one sale of `plan`: a flat part per sale, a part per
 * GB of traffic sold (unlimited plans count as `unlimitedTrafficGb`) and a part per day.
 */
export function wholesaleCost(
  price: Pick<WholesalePriceEntity, 'perPlanMinor' | 'perGbMinor' | 'perDayMinor' | 'unlimitedTrafficGb'> | null,
  plan: Pick<PlanEntity, 'trafficLimitGb' | 'periodDays'>,
): number {
  if (!price) return 0;
  const gb = plan.trafficLimitGb > 0 ? plan.trafficLimitGb : price.unlimitedTrafficGb;
  return price.perPlanMinor + price.perGbMinor * gb + price.perDayMinor * plan.periodDays;
}

export function trafficBytes(plan: Pick<PlanEntity, 'trafficLimitGb'>): number {
  return plan.trafficLimitGb * BYTES_PER_GB;
}

/** The wholesale wallet is "low" below this many sales of the shop's cheapest plan. */
export const LOW_WALLET_SALES = 5;

/** The smallest wholesale cost of one sale among `plans` (the ones on sale); null when there are none. */
export function cheapestWholesaleCost(
  price: Parameters<typeof wholesaleCost>[0],
  plans: readonly Parameters<typeof wholesaleCost>[1][],
): number | null {
  return plans.length ? Math.min(...plans.map((p) => wholesaleCost(price, p))) : null;
}

/** Whether a shop's free wholesale balance is low: nothing free, or less than LOW_WALLET_SALES of its cheapest sale. */
export function isWholesaleWalletLow(availableMinor: number, cheapestSaleMinor: number | null): boolean {
  return availableMinor <= 0 || (cheapestSaleMinor !== null && availableMinor < cheapestSaleMinor * LOW_WALLET_SALES);
}
