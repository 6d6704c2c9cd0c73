import { BotProfile } from '../profile/bot-profile';
import { parseCallbackData } from './callback-data';
import { mainMenuScreen, supportScreen } from './screens';
import { clip, plain } from '../text/html';

const profile = (over: Partial<BotProfile> = {}): BotProfile => ({
  botId: '11111111-1111-4111-8111-111111111111',
  name: 'Shop <b>',
  username: 'shop_bot',
  isMaster: false,
  ownerTelegramId: 1,
  defaultLanguage: 'en',
  supportUsername: null,
  languages: ['en', 'fa'],
  welcomeText: {},
  supportText: {},
  menuButtons: [[{ action: 'buy' }], [{ action: 'language' }, { action: 'support' }], [{ action: 'help' }]],
  features: new Set(),
  ...over,
});

describe('screens', () => {
  it('escapes and clips text that is not ours', () => {
    const s = mainMenuScreen(profile({ welcomeText: { en: '<a href="x">hi</a> & ' + 'x'.repeat(5000) } }), 'en', 'x');
    expect(s.text.startsWith('&lt;a href=&quot;x&quot;&gt;hi&lt;/a&gt; &amp; ')).toBe(true);
    expect(Array.from(s.text).length).toBeLessThan(3100);
    const d = mainMenuScreen(profile(), 'en', '<script>');
    expect(d.text).toContain('&lt;script&gt;');
    expect(d.text).toContain('Shop &lt;b&gt;');
  });

  it('shows only working buttons, labelled in the user language', () => {
    const s = mainMenuScreen(profile(), 'fa', 'Ali');
    expect(s.keyboard).toEqual([
      [{ text: '🌐 زبان', callback_data: 'menu:language' }],
      [{ text: '❓ راهنما', callback_data: 'menu:help' }],
    ]);
    const withSupport = mainMenuScreen(profile({ supportUsername: 'helpdesk' }), 'en', 'Ali');
    expect(withSupport.keyboard?.flat().map((b) => ('callback_data' in b ? b.callback_data : ''))).toEqual([
      'menu:language',
      'menu:support',
      'menu:help',
    ]);
  });

  it('support shows the contact and the tenant note escaped', () => {
    const s = supportScreen(profile({ supportUsername: '@helpdesk', supportText: { en: 'Mon-Fri <9-5>' } }), 'en');
    expect(s.text).toContain('@helpdesk');
    expect(s.text).toContain('Mon-Fri &lt;9-5&gt;');
  });

  it('parses only our callback data', () => {
    expect(parseCallbackData('menu:help')).toEqual({ kind: 'menu', action: 'help' });
    expect(parseCallbackData('lang:ru')).toEqual({ kind: 'language', lang: 'ru' });
    for (const bad of ['lang:de', 'menu:nope', 'menu:help:x', '', undefined, 'x'.repeat(80)]) {
      expect(parseCallbackData(bad)).toBeNull();
    }
  });

  it('clips by characters, not UTF-16 units, and removes control characters', () => {
    expect(clip('😀😀😀', 2)).toBe('😀…');
    expect(plain('a\u0000b<', 10)).toBe('ab&lt;');
  });
});
