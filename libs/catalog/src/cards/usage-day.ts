/**
 * Card daily limits follow the banks' day. The cards are Iranian (Shetab) cards and their
 * daily transfer limits reset at midnight Tehran time, so "today" for card_daily_usage is the
 * calendar day in Asia/Tehran, not in UTC.
 */
export const CARD_LIMIT_TIME_ZONE = 'Asia/Tehran';

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: CARD_LIMIT_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The card-usage day of `now` as YYYY-MM-DD. */
export function cardUsageDay(now: Date): string {
  const parts = Object.fromEntries(dayFormat.formatToParts(now).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}
