import { MAX_MINOR } from '@botfleet/common';

/** Longest reason of a balance adjustment. */
export const ADJUST_REASON_MAX = 200;

/** A typed balance adjustment: `+50000 reason` / `-20000 reason` (minor units; `−` counts as minus). */
const ADJUSTMENT = /^([+-−])\s*(\d{1,16})\s+([\s\S]+)$/;

/**
 * A balance adjustment as an admin types it (sign, amount in minor units, reason): a non-zero amount of at most
 * MAX_MINOR either way and a reason of 1..ADJUST_REASON_MAX characters; null for anything else.
 */
export function parseBalanceAdjustment(text: string): { amountMinor: number; reason: string } | null {
  const m = ADJUSTMENT.exec(text);
  if (!m) return null;
  const amountMinor = Number(m[2]) * (m[1] === '+' ? 1 : -1);
  const reason = m[3].trim();
  if (!amountMinor || Math.abs(amountMinor) > MAX_MINOR || !reason || reason.length > ADJUST_REASON_MAX) return null;
  return { amountMinor, reason };
}
