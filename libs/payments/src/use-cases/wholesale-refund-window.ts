import { WholesaleWalletService } from '@botfleet/billing';
import { OrderEntity } from '@botfleet/dal';

/**
 * How long after an order's payment (`paid_at`) a refund still gives the shop its wholesale cost back: 48 hours.
 * Later, the customer is still refunded and the service taken back, but the platform delivered the capacity, so
 * the wholesale charge stays. The same for an order that charged the customer nothing (a 100 % promo).
 */
export const WHOLESALE_REFUND_WINDOW_MS = 48 * 60 * 60 * 1000;

/** Whether a refund at `now` is within the wholesale refund window of the order's payment. */
export function withinWholesaleRefundWindow(
  order: Pick<OrderEntity, 'paidAt' | 'createdAt'>,
  now: Date = new Date(),
  windowMs: number = WHOLESALE_REFUND_WINDOW_MS,
): boolean {
  const paidAt = order.paidAt ?? order.createdAt;
  return now.getTime() - paidAt.getTime() <= windowMs;
}

/** Whether a refund at `now` would leave this order's wholesale charge with the platform (what to warn of). */
export function wholesaleKeptOnRefund(
  order: Pick<OrderEntity, 'paidAt' | 'createdAt' | 'wholesaleMinor'>,
  now: Date = new Date(),
): boolean {
  return order.wholesaleMinor > 0 && !withinWholesaleRefundWindow(order, now);
}

/**
 * Until when a refund of this paid order still gives the shop its wholesale cost back (what the console and the
 * bot tell the owner before a refund); null for an order never paid.
 */
export function wholesaleRefundableUntil(
  order: Pick<OrderEntity, 'paidAt'>,
  windowMs: number = WHOLESALE_REFUND_WINDOW_MS,
): Date | null {
  return order.paidAt ? new Date(order.paidAt.getTime() + windowMs) : null;
}

/**
 * The wholesale side of a refunded order (call after moving the order to `refunded`, in the same transaction):
 * within the window the charge is reversed (WholesaleWalletService.reverse, `order:{id}:wholesale-refund`);
 * later it stays, and only a hold that was never captured goes back (a release is a no-op after a capture).
 * Returns whether the wholesale charge was reversed.
 */
export async function settleWholesaleOfRefund(
  wallet: WholesaleWalletService,
  botId: string,
  order: Pick<OrderEntity, 'id' | 'paidAt' | 'createdAt'>,
  now: Date = new Date(),
): Promise<boolean> {
  if (withinWholesaleRefundWindow(order, now)) return (await wallet.reverse(botId, order.id)).applied;
  await wallet.release(botId, order.id);
  return false;
}
