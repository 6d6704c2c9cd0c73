import { useTranslation } from 'react-i18next';
import { useCalendar } from './calendar';

const LOCALES: Record<string, string> = { fa: 'fa-IR', en: 'en-GB', ru: 'ru-RU' };

/** The locale tag for Intl: Persian digits in fa, and the Solar Hijri or Gregorian calendar as the user chose. */
export function localeOf(lang: string, calendar: 'persian' | 'gregory'): string {
  const base = LOCALES[lang] ?? 'en-GB';
  return lang === 'fa' ? `${base}-u-ca-${calendar}` : base;
}

/** Money is integer minor units plus an ISO code (API.md); the currency's own minor digits place the point. */
export function formatMoney(locale: string, amountMinor: number, currency: string): string {
  try {
    const f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const digits = f.resolvedOptions().maximumFractionDigits ?? 0;
    return f.format(amountMinor / 10 ** digits);
  } catch {
    return `${new Intl.NumberFormat(locale).format(amountMinor)} ${currency}`;
  }
}

/** Formatting in the user's language and calendar: numbers, money, dates. */
export function useFormat() {
  const { i18n } = useTranslation();
  const [calendar] = useCalendar();
  const locale = localeOf(i18n.language, calendar);
  const number = new Intl.NumberFormat(locale);
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const toDate = (v: string | number | Date) => (v instanceof Date ? v : new Date(v));
  // The browser's own date pickers know only the Gregorian calendar: a Solar Hijri reader gets the day named.
  const solarHijri = i18n.language === 'fa' && calendar === 'persian';
  const fullDay = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  const fullDayTime = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' });
  return {
    locale,
    number: (n: number) => number.format(n),
    money: (minor: number, currency: string) => formatMoney(locale, minor, currency),
    date: (v: string | number | Date | null | undefined) => (v == null ? '—' : date.format(toDate(v))),
    dateTime: (v: string | number | Date | null | undefined) => (v == null ? '—' : dateTime.format(toDate(v))),
    /**
     * A native date input's value (`YYYY-MM-DD`, a UTC day, or `YYYY-MM-DDTHH:mm`, local time) in the Solar Hijri
     * calendar, to show beside the input; undefined unless the user reads that calendar or when nothing valid is set.
     */
    inputNote: (value: string): string | undefined => {
      if (!solarHijri || !value) return undefined;
      const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
      const d = new Date(day ? `${value}T00:00:00Z` : value);
      if (Number.isNaN(d.getTime())) return undefined;
      return day ? fullDay.format(d) : fullDayTime.format(d);
    },
  };
}
