import type { Language } from '@botfleet/catalog';
import { escapeHtml } from '../text/html';
import { cleanText } from '../text/sanitize';
import { TextKey, TEXTS } from './texts';

/** Values for placeholders: plain strings are cleaned (sanitize.ts) and escaped; `{ html }` is inserted as is (already safe markup). */
export type TextVars = Record<string, string | number | { html: string }>;

/** Fills `{placeholders}` of an HTML template; values are escaped unless given as `{ html }`. */
export function fillTemplate(template: string, vars: TextVars = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = vars[name];
    if (v === undefined) return whole;
    return typeof v === 'object' ? v.html : escapeHtml(cleanText(String(v)));
  });
}

/** The text `key` in `lang` with `{placeholders}` filled; values are escaped unless given as `{ html }`. */
export function translate(lang: Language, key: TextKey, vars: TextVars = {}): string {
  return fillTemplate(TEXTS[lang][key] ?? TEXTS.en[key], vars);
}
