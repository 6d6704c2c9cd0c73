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
  return {
    locale,
    number: (n: number) => number.format(n),
    money: (minor: number, currency: string) => formatMoney(locale, minor, currency),
    date: (v: string | number | Date | null | undefined) => (v == null ? '—' : date.format(toDate(v))),
    dateTime: (v: string | number | Date | null | undefined) => (v == null ? '—' : dateTime.format(toDate(v))),
  };
}
