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
