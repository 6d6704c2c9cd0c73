export const LANGUAGES = ['fa', 'en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];
export type Localized = Partial<Record<Language, string>>;

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}
