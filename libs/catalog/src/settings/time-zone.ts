/**
 * The shop's calendar: the time zone its days are counted in (configuration `time_zone`) and the calendar its
 * months are counted in (Solar Hijri when the shop speaks Persian by default, Gregorian otherwise).
 */

/**
 * Every shop starts on Tehran's day, whatever its default language: the platform's resellers sell to Iranian
 * customers, and a default that followed another setting would move a shop's figures when that setting changed.
 */
export const DEFAULT_TIME_ZONE = 'Asia/Tehran';

/** The shape of an IANA zone name (`UTC`, `Asia/Tehran`, `America/Argentina/Buenos_Aires`, `Etc/GMT-3`). */
export const TIME_ZONE_PATTERN = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;

/** Whether Intl (ICU) knows `name` as a time zone. */
export function isIntlTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The stored `time_zone` value, or the default for a shop that never set one. */
export function shopTimeZone(stored: unknown): string {
  return typeof stored === 'string' && stored ? stored : DEFAULT_TIME_ZONE;
}

const DAY_MS = 86_400_000;
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of `now` in `timeZone`, `YYYY-MM-DD` (Gregorian). */
export function localDay(now: Date, timeZone: string): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(now).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export type ShopCalendar = 'persian' | 'gregory';

/** Persian speakers count months in Solar Hijri (Farvardin, Ordibehesht …); everyone else in Gregorian. */
export function calendarOf(defaultLanguage: string): ShopCalendar {
  return defaultLanguage === 'fa' ? 'persian' : 'gregory';
}

const persianDayOfMonth = new Intl.DateTimeFormat('en-u-ca-persian-nu-latn', { timeZone: 'UTC', day: 'numeric' });

/**
 * The first day (`YYYY-MM-DD`, Gregorian) of the month that `day` (`YYYY-MM-DD`) falls in, in `calendar`:
 * 2025-03-25 is 5 Farvardin 1404, so its Solar Hijri month began on 2025-03-21.
 */
export function monthStart(day: string, calendar: ShopCalendar): string {
  if (calendar === 'gregory') return `${day.slice(0, 8)}01`;
  const noon = Date.parse(`${day}T12:00:00Z`);
  const dayOfMonth = Number(persianDayOfMonth.format(noon));
  return new Date(noon - (dayOfMonth - 1) * DAY_MS).toISOString().slice(0, 10);
}
