import type { PlanEntity, SubscriptionEntity } from '@botfleet/dal';

/**
 * Whether `plan` may renew `sub`. A renewal applies the chosen plan's days, traffic and device limit to the
 * subscription's own account, which stays on its panel; so only a plan that would place the account there may
 * renew it: a plan bound to the subscription's panel, a plan of the location of the subscription's own plan,
 * or a plan for any panel (neither panel nor location). Any other plan is bought as a new subscription.
 * `subPlan` is the plan the subscription has now (null if it has none).
 */
export function canRenewWith(
  sub: Pick<SubscriptionEntity, 'panelId'>,
  subPlan: Pick<PlanEntity, 'location'> | null,
  plan: Pick<PlanEntity, 'panelId' | 'location'>,
): boolean {
  if (plan.panelId) return plan.panelId === sub.panelId;
  if (plan.location) return subPlan?.location === plan.location;
  return true;
}
