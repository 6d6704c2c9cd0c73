import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { operator } from '../pages/operator/i18n';
import { sales } from '../pages/reseller/i18n-sales';
import { setup } from '../pages/reseller/i18n-setup';
import { common } from './common';

export const LANGUAGES = ['fa', 'en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORED = 'bf.lang';

/** The language the console opens in: the last one chosen, else the browser's if we have it, else English. */
function initialLanguage(): Language {
  const stored = localStorage.getItem(STORED);
  if (stored && (LANGUAGES as readonly string[]).includes(stored)) return stored as Language;
  const browser = navigator.language.slice(0, 2);
  return (LANGUAGES as readonly string[]).includes(browser) ? (browser as Language) : 'en';
}

export function isRtl(lang: string): boolean {
  return lang === 'fa';
}

/** Applies the language to the document: `lang`, `dir` (fa is right-to-left) and the stored choice. */
export function applyLanguage(lang: Language): void {
  localStorage.setItem(STORED, lang);
  document.documentElement.lang = lang;
  document.documentElement.dir = isRtl(lang) ? 'rtl' : 'ltr';
}

const lang = initialLanguage();
void i18n.use(initReactI18next).init({
  lng: lang,
  fallbackLng: 'en',
  defaultNS: 'common',
  ns: ['common', 'sales', 'setup', 'operator'],
  resources: {
    en: { common: common.en, sales: sales.en, setup: setup.en, operator: operator.en },
    fa: { common: common.fa, sales: sales.fa, setup: setup.fa, operator: operator.fa },
    ru: { common: common.ru, sales: sales.ru, setup: setup.ru, operator: operator.ru },
  },
  interpolation: { escapeValue: false },
});
applyLanguage(lang);
i18n.on('languageChanged', (l) => applyLanguage(l as Language));

export default i18n;
