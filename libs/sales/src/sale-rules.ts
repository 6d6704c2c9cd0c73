import type { CardPaymentEntity, SubscriptionEntity } from '@botfleet/dal';

/** Whether a shop can take an order at all: some way to pay is on (its enabled features). */
export function canSell(features: ReadonlySet<string>): boolean {
  return features.has('card_to_card') || features.has('wallet');
}

/**
 * The ways an order of `amountMinor` can be paid: card-to-card when it is on, the wallet when it is on and
 * covers the price. None → the order must not be made (it would hold the shop's money with nothing to pay).
 */
export function paymentMethodsFor(
  features: ReadonlySet<string>,
  walletBalanceMinor: number,
  amountMinor: number,
): { card: boolean; wallet: boolean } {
  return {
    card: features.has('card_to_card'),
    wallet: features.has('wallet') && walletBalanceMinor >= amountMinor,
  };
}

/**
 * Whether anything can pay an order: card-to-card, the wallet (covering it), or at least one online gateway that is on
 * and takes this amount (libs/payments PaymentGateways.availableFor). Nothing → the order must not be made.
 */
export function canPayOrder(methods: { card: boolean; wallet: boolean }, gatewaysAvailable: number): boolean {
  return methods.card || methods.wallet || gatewaysAvailable > 0;
}

/** Subscriptions a user may renew: ones that have worked (not still being prepared, not failed). */
export const RENEWABLE_SUBSCRIPTION_STATUSES: readonly SubscriptionEntity['status'][] = [
  'active',
  'expired',
  'disabled',
];

export function isRenewable(sub: Pick<SubscriptionEntity, 'status'>): boolean {
  return RENEWABLE_SUBSCRIPTION_STATUSES.includes(sub.status);
}

/** Card payments that take a receipt until their deadline: none sent yet, or the last one was rejected. */
export const RECEIPT_ACCEPTING_STATUSES: readonly CardPaymentEntity['status'][] = ['awaiting_receipt', 'rejected'];

/** Whether a card payment's receipt is waiting for an admin's decision. */
export function awaitsReview(payment: Pick<CardPaymentEntity, 'status'>): boolean {
  return payment.status === 'pending';
}

/**
 * Card payments that expire at their deadline: the deadline covers only sending the receipt, so a receipt
 * under review (`pending`) never expires by itself — it waits for a decision (REVIEW_REMINDERS).
 */
export const EXPIRING_CARD_PAYMENT_STATUSES: readonly CardPaymentEntity['status'][] = RECEIPT_ACCEPTING_STATUSES;

/**
 * Reminders about a receipt waiting for review, counted from its submission: the admins (where the review
 * went) after 30 minutes and after 2 hours, then the owner in their private chat after 6 hours. Each is sent
 * once; the hold stays until the decision.
 */
export const REVIEW_REMINDERS: readonly { afterMinutes: number; to: 'admins' | 'owner' }[] = [
  { afterMinutes: 30, to: 'admins' },
  { afterMinutes: 120, to: 'admins' },
  { afterMinutes: 360, to: 'owner' },
];

/** Card payments still open (waiting for a receipt or a review): the order they belong to stays pending. */
export const OPEN_CARD_PAYMENT_STATUSES: readonly CardPaymentEntity['status'][] = [
  'awaiting_receipt',
  'pending',
  'rejected',
];

/**
 * On whose behalf a step acts on an order or payment: a user (the bot passes the user who tapped or
 * wrote; another user's order is NOT_FOUND, so forged callback data changes nothing), or the tenant
 * itself (its API or the operator), which may act on any order of its bot.
 */
export type OrderActor = { userId: string } | { tenant: true };

export const AS_TENANT: OrderActor = { tenant: true };

/** Whether `actor` may act on a row of this user's (an order, a card payment). */
export function mayActFor(actor: OrderActor, row: { userId: string }): boolean {
  return 'tenant' in actor || row.userId === actor.userId;
}

export type Receipt = { kind: 'photo'; fileId: string; fileUniqueId: string } | { kind: 'text'; text: string };

/** As long as a Telegram message can be; the review shows what fits (see review-message.ts). */
export const RECEIPT_TEXT_MAX = 4096;
export const REJECTION_REASON_MAX = 500;

/** A card payment's tracking number as people quote it (see tracking-number.ts). */
export const TRACKING_NUMBER_PATTERN = /C2C-\d{6}-[2-9A-Z]{6}/;
