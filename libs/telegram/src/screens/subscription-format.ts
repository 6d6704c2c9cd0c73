import type { Language } from '@botfleet/catalog';
import { translate } from '../i18n/translate';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const LOCALES: Record<Language, string> = { en: 'en-GB', fa: 'fa-IR', ru: 'ru-RU' };
/** Shops selling in Persian sell in Iran: their users read Tehran time (and the Persian calendar). */
const TIME_ZONES: Record<Language, string> = { en: 'UTC', fa: 'Asia/Tehran', ru: 'UTC' };

/** Traffic as VPN shops quote it: binary gigabytes, "GB"; 0 limit = unlimited. */
export function formatTraffic(lang: Language, bytes: number, zeroIsUnlimited = true): string {
  if (bytes <= 0 && zeroIsUnlimited) return translate(lang, 'traffic.unlimited');
  const format = (n: number, digits: number) =>
    new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: digits }).format(n);
  if (bytes >= GiB) return `${format(bytes / GiB, bytes >= 100 * GiB ? 0 : 1)} GB`;
  return `${format(bytes / MiB, 0)} MB`;
}

/** A date and time in the user's language, with the time zone named. */
export function formatDateTime(lang: Language, at: Date): string {
  return (
    new Intl.DateTimeFormat(LOCALES[lang], {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: TIME_ZONES[lang],
    }).format(at) + (TIME_ZONES[lang] === 'UTC' ? ' UTC' : '')
  );
}
