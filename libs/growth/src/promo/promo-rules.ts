import { DomainError, ErrorCode, MAX_MINOR } from '@botfleet/common';
import type { PromocodeEntity } from '@botfleet/dal';

export type PromoKind = PromocodeEntity['kind'];
export const PROMO_KINDS: readonly PromoKind[] = ['percent', 'fixed', 'extra_days', 'balance'];
/** A code as stored: 3–32 of A–Z, 0–9, `_` and `-` (typed in any case; compared upper case). */
export const PROMO_CODE_PATTERN = /^[A-Z0-9_-]{3,32}$/;

/** Why a code was refused (PROMO_CODE_REJECTED `details.reason`); the bot has a text for each. */
export type PromoRejection =
  | 'unknown'
  | 'not_started'
  | 'ended'
  | 'used_up'
  | 'already_used'
  | 'wrong_plan'
  | 'first_purchase_only'
  | 'already_waiting'
  | 'order_locked';

export const PROMO_REJECTIONS: readonly PromoRejection[] = [
  'unknown',
  'not_started',
  'ended',
  'used_up',
  'already_used',
  'wrong_plan',
  'first_purchase_only',
  'already_waiting',
  'order_locked',
];

export function promoRejected(reason: PromoRejection): DomainError {
  return new DomainError(ErrorCode.PROMO_CODE_REJECTED, `The promo code cannot be used (${reason})`, { reason });
}

/** The reason of a PROMO_CODE_REJECTED error, or null for any other error. */
export function promoRejectionOf(e: unknown): PromoRejection | null {
  if (!DomainError.is(e, ErrorCode.PROMO_CODE_REJECTED)) return null;
  const reason = (e.details as { reason?: string } | undefined)?.reason;
  return PROMO_REJECTIONS.find((r) => r === reason) ?? 'unknown';
}

/** What the user typed, as a code is stored; null when it cannot be one. */
export function normalizePromoCode(typed: string | undefined | null): string | null {
  const code = (typed ?? '').trim().toUpperCase();
  return PROMO_CODE_PATTERN.test(code) ? code : null;
}

/** The allowed values of each kind: percent 1–99, days 1–3650, money 1..MAX_MINOR. */
export function valueRange(kind: PromoKind): { min: number; max: number } {
  if (kind === 'percent') return { min: 1, max: 99 };
  if (kind === 'extra_days') return { min: 1, max: 3650 };
  return { min: 1, max: MAX_MINOR };
}

/** Whether the code may be used at `now` (active, within its window); the reason when not. */
export function windowRejection(code: PromocodeEntity, now: Date): PromoRejection | null {
  if (!code.isActive) return 'unknown';
  if (code.validFrom && now < code.validFrom) return 'not_started';
  if (code.validUntil && now >= code.validUntil) return 'ended';
  return null;
}

/**
 * What a code does to an order of `priceMinor`: the discount in minor units (a percent rounds down; the price
 * never drops below 1 minor unit — a free order would not be paid by any method) and the extra days.
 */
export function orderChangeOf(
  code: Pick<PromocodeEntity, 'kind' | 'value'>,
  priceMinor: number,
): { discountMinor: number; extraDays: number } {
  const cap = Math.max(0, priceMinor - 1);
  if (code.kind === 'percent')
    return { discountMinor: Math.min(cap, Math.floor((priceMinor * code.value) / 100)), extraDays: 0 };
  if (code.kind === 'fixed') return { discountMinor: Math.min(cap, code.value), extraDays: 0 };
  if (code.kind === 'extra_days') return { discountMinor: 0, extraDays: code.value };
  return { discountMinor: 0, extraDays: 0 };
}

/** Whether the kind changes an order (the others credit the wallet at once). */
export const changesOrder = (kind: PromoKind): boolean => kind !== 'balance';
