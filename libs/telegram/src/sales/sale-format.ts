import type { Language, Localized } from '@botfleet/catalog';

const LOCALES: Record<Language, string> = { en: 'en-GB', fa: 'fa-IR', ru: 'ru-RU' };

/**
 * Money in minor units shown in the bot's currency. The number of minor digits is the currency's
 * (CLDR): IRR has none, so `500000` is 500,000 rials; USD has two, so `500000` is $5,000.00.
 */
export function formatMoney(lang: Language, amountMinor: number, currency: string): string {
  try {
    const f = new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency });
    const digits = f.resolvedOptions().maximumFractionDigits ?? 0;
    return f.format(amountMinor / 10 ** digits);
  } catch {
    return `${amountMinor} ${currency}`;
  }
}

/** A plan's name in the user's language, else any language it has. */
export function localizedName(name: Localized, lang: Language): string {
  return name[lang] ?? name.en ?? name.fa ?? name.ru ?? '—';
}

/** A card number in groups of four, for reading and copying. */
export function groupCardNumber(digits: string): string {
  return digits.replace(/(\d{4})(?=\d)/g, '$1 ');
}
