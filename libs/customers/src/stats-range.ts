import { DomainError, ErrorCode } from '@botfleet/common';
import { localDay } from '@botfleet/catalog';

/** The longest range one stats request may cover, in days (a leap year). */
export const STATS_MAX_DAYS = 366;
/** Without `from`, the range is this many days ending on `to` (or today). */
export const STATS_DEFAULT_DAYS = 30;

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
// Bounded so that every day we compute from an input (to − 29 days, to + 1 day in SQL) is a date
// both JavaScript and PostgreSQL read the same way (PostgreSQL has no year 0).
const MIN_DAY = Date.UTC(1970, 0, 1) / DAY_MS;
const MAX_DAY = Date.UTC(9999, 11, 31) / DAY_MS;

export interface StatsRangeQuery {
  from?: unknown;
  to?: unknown;
}

export interface StatsRangeProblem {
  field: 'from' | 'to';
  error: string;
}

/** Days since 1970-01-01 (UTC) of a real calendar day written `YYYY-MM-DD`, or null. */
export function parseIsoDay(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = ISO_DAY.exec(value);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2025-02-30 over to March: only a day that formats back to the input is real.
  if (formatIsoDay(ms / DAY_MS) !== value) return null;
  const day = ms / DAY_MS;
  return day >= MIN_DAY && day <= MAX_DAY ? day : null;
}

export function formatIsoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The zone where today starts first (UTC+14). A check that does not know the shop's zone (the HTTP DTO) takes
 * today there, so it refuses nothing some shop may ask for; the service checks again with the shop's own zone.
 */
export const EARLIEST_TIME_ZONE = 'Etc/GMT-14';

/** Today in `timeZone`, as days since 1970-01-01. */
const todayOf = (now: Date, timeZone: string) => parseIsoDay(localDay(now, timeZone)) as number;

/**
 * Everything wrong with a `?from=&to=` pair (empty when it is fine). Malformed dates are reported
 * on their own field; the cross-field rules (from after to, more than 366 days) are reported on
 * `from`, the only side that can break them (a missing `from` is derived from `to`). Days are the
 * shop's days: "today" is today in `timeZone`.
 */
export function checkStatsRange(
  q: StatsRangeQuery,
  now: Date = new Date(),
  timeZone: string = EARLIEST_TIME_ZONE,
): StatsRangeProblem[] {
  const problems: StatsRangeProblem[] = [];
  const from = q.from === undefined ? undefined : parseIsoDay(q.from);
  const to = q.to === undefined ? undefined : parseIsoDay(q.to);
  const malformed = (field: 'from' | 'to') => ({
    field,
    error: `${field} must be a calendar date YYYY-MM-DD between 1970-01-01 and 9999-12-31`,
  });
  if (from === null) problems.push(malformed('from'));
  if (to === null) problems.push(malformed('to'));
  if (from === null || to === null || from === undefined) return problems;
  const end = to ?? todayOf(now, timeZone);
  const against = to === undefined ? `today (${formatIsoDay(end)})` : 'to';
  if (from > end) problems.push({ field: 'from', error: `from must not be after ${against}` });
  else if (end - from + 1 > STATS_MAX_DAYS) {
    problems.push({
      field: 'from',
      error: `from..${to === undefined ? 'today' : 'to'} may span at most ${STATS_MAX_DAYS} days`,
    });
  }
  return problems;
}

/**
 * The inclusive range of a stats request in the shop's days (calendar days in `timeZone`): defaults to
 * the last 30 days ending today there (or ending on `to`). Bad input is a VALIDATION_FAILED naming each
 * field, like the HTTP DTO's.
 */
export function resolveStatsRange(q: StatsRangeQuery, now: Date, timeZone: string): { from: string; to: string } {
  const problems = checkStatsRange(q, now, timeZone);
  if (problems.length) {
    const fields = [...new Set(problems.map((p) => p.field))];
    throw new DomainError(
      ErrorCode.VALIDATION_FAILED,
      `Invalid request: ${fields.join(', ')}`,
      fields.map((field) => ({ field, errors: problems.filter((p) => p.field === field).map((p) => p.error) })),
    );
  }
  const to = q.to === undefined ? todayOf(now, timeZone) : (parseIsoDay(q.to) as number);
  const from = q.from === undefined ? to - (STATS_DEFAULT_DAYS - 1) : (parseIsoDay(q.from) as number);
  return { from: formatIsoDay(from), to: formatIsoDay(to) };
}
