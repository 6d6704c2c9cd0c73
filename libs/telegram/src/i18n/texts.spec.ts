import { LANGUAGES } from '@botfleet/catalog';
import { TEXTS, TextKey } from './texts';
import { translate } from './translate';

const placeholders = (template: string): string[] =>
  [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

describe('the text catalogue', () => {
  const keys = Object.keys(TEXTS.en).sort() as TextKey[];

  it('has a block for every language the bots offer, and nothing else', () => {
    expect(Object.keys(TEXTS).sort()).toEqual([...LANGUAGES].sort());
  });

  it.each(LANGUAGES)('%s has exactly the keys of every other language, none empty', (lang) => {
    expect(Object.keys(TEXTS[lang]).sort()).toEqual(keys);
    expect(keys.filter((key) => !TEXTS[lang][key].trim())).toEqual([]);
  });

  it('every placeholder used in one language appears in all the others', () => {
    const mismatches = keys.flatMap((key) => {
      const expected = placeholders(TEXTS.en[key]);
      return LANGUAGES.filter((lang) => placeholders(TEXTS[lang][key]).join() !== expected.join()).map((lang) => ({
        key,
        lang,
        en: expected,
        [lang]: placeholders(TEXTS[lang][key]),
      }));
    });
    expect(mismatches).toEqual([]);
  });

  it('translate fills placeholders from every table in the one catalogue, escaping values', () => {
    expect(translate('en', 'menu.buy')).toBe('🛒 Buy a subscription');
    expect(translate('fa', 'subs.usage', { used: '1 GB', limit: '5 GB' })).toBe('📊 1 GB از 5 GB');
    expect(translate('ru', 'review.rejectedBy', { by: '<admin>', reason: { html: '<b>x</b>' } })).toBe(
      '❌ Отклонил(а) &lt;admin&gt;: <b>x</b>',
    );
  });
});
