/**
 * The ranges every stored number keeps, so a row can always be read back as a safe JS number
 * (the database enforces the same ranges with CHECK constraints).
 * - Money (minor units): every single amount (a price, a top-up, an adjustment, a limit) within
 *   ±MAX_MINOR; a balance, and what is derived from one, within 0..MAX_COUNTER — a change that would
 *   leave the range is refused as bad input.
 * - Counters that only grow (bytes sold, used, consumed; a card's takings of a day) and sums shown by
 *   the API: 0..MAX_COUNTER, saturating at the top instead of failing or wrapping.
 */
export const MAX_MINOR = 1_000_000_000_000_000;

/** 2^53 − 1 (≈ 8 PiB as bytes): the largest integer a JS number holds exactly. */
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

/** A counter value from anywhere (a panel's report, a sum) as a whole number within 0..MAX_COUNTER. */
export function clampCounter(value: number): number {
  if (Number.isNaN(value) || value <= 0) return 0;
  if (value >= MAX_COUNTER) return MAX_COUNTER;
  return Math.floor(value);
}
