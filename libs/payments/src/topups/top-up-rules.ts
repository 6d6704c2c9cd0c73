import { DomainError, ErrorCode, MAX_MINOR } from '@botfleet/common';

/** The largest single top-up when the tenant set none (`wallet` feature config `maxTopUpMinor`). */
export const DEFAULT_MAX_TOP_UP_MINOR = 100_000_000;

/** What a user may top their wallet up by, in the bot's minor units. */
export interface TopUpLimits {
  minMinor: number;
  maxMinor: number;
}

/**
 * The limits from the `wallet` feature's config: `minTopUpMinor` (at least 1) and `maxTopUpMinor` (default
 * DEFAULT_MAX_TOP_UP_MINOR). A maximum below the minimum leaves only the minimum.
 */
export function topUpLimits(config: Record<string, unknown>): TopUpLimits {
  const min = Math.max(1, asInt(config.minTopUpMinor) ?? 1);
  const max = Math.min(MAX_MINOR, asInt(config.maxTopUpMinor) ?? DEFAULT_MAX_TOP_UP_MINOR);
  return { minMinor: min, maxMinor: Math.max(min, max) };
}

/** The presets the tenant configured that fall within the limits, in their order, without repeats. */
export function usablePresets(presets: readonly unknown[], limits: TopUpLimits): number[] {
  const out: number[] = [];
  for (const p of presets) {
    const n = asInt(p);
    if (n !== null && n >= limits.minMinor && n <= limits.maxMinor && !out.includes(n)) out.push(n);
  }
  return out;
}

/** Whether `amountMinor` is a top-up the limits allow (a whole number of minor units within them). */
export function isTopUpAmount(amountMinor: number, limits: TopUpLimits): boolean {
  return Number.isSafeInteger(amountMinor) && amountMinor >= limits.minMinor && amountMinor <= limits.maxMinor;
}

/**
 * Whether a bot offers any way to top a wallet up: card to card, or one of the online gateways (their feature keys
 * in `gatewayFeatures`), among the features it has on.
 */
export function mayTopUp(enabled: ReadonlySet<string>, gatewayFeatures: readonly string[]): boolean {
  return enabled.has('card_to_card') || gatewayFeatures.some((f) => enabled.has(f));
}

/**
 * What "top up the difference" comes to for an order: the wallet covers it already (`covered`: pay it now), a
 * top-up of `amountMinor` covers it, or the lack is beyond the largest top-up (`beyondLimit`).
 */
export type OrderTopUp =
  { kind: 'covered' } | { kind: 'topUp'; amountMinor: number } | { kind: 'beyondLimit'; maxMinor: number };

export function topUpForOrder(balanceMinor: number, priceMinor: number, limits: TopUpLimits): OrderTopUp {
  if (balanceMinor >= priceMinor) return { kind: 'covered' };
  const amountMinor = differenceToTopUp(balanceMinor, priceMinor, limits);
  return amountMinor === null ? { kind: 'beyondLimit', maxMinor: limits.maxMinor } : { kind: 'topUp', amountMinor };
}

/**
 * Refuses an amount outside the limits with VALIDATION_FAILED naming `amountMinor` and the limits (so every
 * outlet can say them); nothing is written before this check.
 */
export function assertTopUpAmount(amountMinor: number, limits: TopUpLimits): void {
  if (isTopUpAmount(amountMinor, limits)) return;
  const rule = `must be an integer between ${limits.minMinor} and ${limits.maxMinor}`;
  throw new DomainError(ErrorCode.VALIDATION_FAILED, `The top-up amount ${rule}`, [
    { field: 'amountMinor', errors: [rule] },
  ]);
}

/**
 * The amount a top-up for an order must bring: what the wallet lacks, raised to the minimum top-up. Null when
 * the wallet already covers the order or the lack is above the maximum (a top-up cannot cover it).
 */
export function differenceToTopUp(balanceMinor: number, priceMinor: number, limits: TopUpLimits): number | null {
  const lack = priceMinor - balanceMinor;
  if (lack <= 0) return null;
  const amount = Math.max(lack, limits.minMinor);
  return amount <= limits.maxMinor ? amount : null;
}

/** How many minor digits the currency has (CLDR): IRR 0, USD 2. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0;
  } catch {
    return 0;
  }
}

/**
 * An amount a user typed, in major units of the currency (`150000` rials, `10.50` dollars), as minor units:
 * digits with optional thousands separators (`,` `٬` `_` or spaces), Persian or Arabic digits accepted, a
 * decimal point only as far as the currency has minor digits. Null for anything else (signs, words, too long).
 */
export function parseTypedAmount(text: string, digits: number): number | null {
  const latin = text
    .trim()
    .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/٫/g, '.');
  if (latin.length > 32) return null;
  const m = /^(\d{1,3}(?:[,٬_ ]\d{3})+|\d{1,16})(?:\.(\d+))?$/.exec(latin);
  if (!m) return null;
  const fraction = m[2] ?? '';
  if (fraction.length > digits) return null;
  const minor = Number(m[1].replace(/[,٬_ ]/g, '') + fraction.padEnd(digits, '0'));
  return Number.isSafeInteger(minor) ? minor : null;
}

function asInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : null;
}
