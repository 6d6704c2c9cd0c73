import { checkTelegramHtml } from '@botfleet/broadcasts';
import { entitiesToHtml, hasFormatting, TextEntity } from './entities-to-html';

/** Converts and proves the result passes the broadcast HTML check and shows exactly the original text. */
function html(text: string, entities: TextEntity[]): string {
  const out = entitiesToHtml(text, entities);
  const check = checkTelegramHtml(out);
  expect(check.problem).toBeUndefined();
  expect(check.shown).toBe(text);
  return out;
}

const at = (text: string, part: string) => text.indexOf(part);
const e = (type: string, text: string, part: string, extra: Partial<TextEntity> = {}): TextEntity => ({
  type,
  offset: at(text, part),
  length: part.length,
  ...extra,
});

describe('entitiesToHtml', () => {
  it('without entities is the text escaped', () => {
    expect(html('a < b && c > d', [])).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(entitiesToHtml('x', undefined)).toBe('x');
  });

  it.each([
    ['bold', '<b>word</b>'],
    ['italic', '<i>word</i>'],
    ['underline', '<u>word</u>'],
    ['strikethrough', '<s>word</s>'],
    ['spoiler', '<tg-spoiler>word</tg-spoiler>'],
    ['code', '<code>word</code>'],
    ['pre', '<pre>word</pre>'],
    ['blockquote', '<blockquote>word</blockquote>'],
    ['expandable_blockquote', '<blockquote expandable>word</blockquote>'],
  ])('%s becomes its tag', (type, tagged) => {
    expect(html('a word.', [e(type, 'a word.', 'word')])).toBe(`a ${tagged}.`);
  });

  it('pre with a language gets a code class; a strange language is dropped', () => {
    const text = 'x = 1';
    expect(html(text, [{ type: 'pre', offset: 0, length: 5, language: 'python' }])).toBe(
      '<pre><code class="language-python">x = 1</code></pre>',
    );
    expect(html(text, [{ type: 'pre', offset: 0, length: 5, language: 'py"><b>' }])).toBe('<pre>x = 1</pre>');
  });

  it('a text link keeps its URL escaped (& in the query)', () => {
    const text = 'see the shop now';
    const out = html(text, [e('text_link', text, 'the shop', { url: 'https://shop.example/?a=1&b=<2>' })]);
    expect(out).toBe('see <a href="https://shop.example/?a=1&amp;b=&lt;2&gt;">the shop</a> now');
  });

  it('a link Telegram HTML would refuse (not http(s) or tg) stays plain', () => {
    const text = 'mail me';
    expect(html(text, [e('text_link', text, 'mail', { url: 'mailto:a@b.c' })])).toBe('mail me');
  });

  it('unsupported entities stay plain text', () => {
    const text = '@shop #sale /start https://x.example 😀 Bob';
    const out = html(text, [
      e('mention', text, '@shop'),
      e('hashtag', text, '#sale'),
      e('bot_command', text, '/start'),
      e('url', text, 'https://x.example'),
      e('custom_emoji', text, '😀', { custom_emoji_id: '123' } as Partial<TextEntity>),
      e('text_mention', text, 'Bob'),
    ]);
    expect(out).toBe(text);
    expect(hasFormatting([e('mention', text, '@shop'), e('url', text, 'https://x.example')])).toBe(false);
    expect(hasFormatting([e('bold', text, 'Bob')])).toBe(true);
    expect(hasFormatting(undefined)).toBe(false);
  });

  it('escapes the text inside tags', () => {
    const text = 'if a<b & c>d';
    expect(html(text, [e('bold', text, 'a<b & c>d')])).toBe('if <b>a&lt;b &amp; c&gt;d</b>');
  });

  it('counts offsets in UTF-16 units: emoji (surrogate pairs) before an entity', () => {
    const text = '😀👍🏽 new: 𝐁 sale';
    // 15 UTF-16 units before "sale" (11 code points): Telegram counts the units.
    expect(Array.from(text.slice(0, 15)).length).toBe(11);
    expect(html(text, [{ type: 'bold', offset: 15, length: 4 }])).toBe('😀👍🏽 new: 𝐁 <b>sale</b>');
    // An entity over an emoji alone.
    expect(html(text, [{ type: 'italic', offset: 2, length: 4 }])).toBe('😀<i>👍🏽</i> new: 𝐁 sale');
  });

  it('an offset between the halves of a surrogate pair does not split it', () => {
    const out = html('😀ab', [{ type: 'bold', offset: 1, length: 2 }]);
    expect(out).toBe('😀<b>a</b>b');
  });

  it('nested entities nest, outer first', () => {
    const text = 'all bold and italic';
    expect(html(text, [e('italic', text, 'italic'), e('bold', text, text)])).toBe('<b>all bold and <i>italic</i></b>');
    // Same range: the order Telegram gave.
    expect(html('xy', [e('bold', 'xy', 'xy'), e('underline', 'xy', 'xy')])).toBe('<b><u>xy</u></b>');
    // A link in a blockquote, bold inside the link.
    const q = 'quote: go here please';
    expect(
      html(q, [
        e('blockquote', q, q),
        e('text_link', q, 'go here', { url: 'https://a.example' }),
        e('bold', q, 'here'),
      ]),
    ).toBe('<blockquote>quote: <a href="https://a.example">go <b>here</b></a> please</blockquote>');
  });

  it('overlapping entities are closed and reopened so the tags stay well nested', () => {
    const text = 'abcdefgh';
    expect(html(text, [e('bold', text, 'abcde'), e('italic', text, 'defgh')])).toBe('<b>abc<i>de</i></b><i>fgh</i>');
    expect(html(text, [e('bold', text, 'abcd'), e('italic', text, 'cdef'), e('strikethrough', text, 'bcdefg')])).toBe(
      '<b>a<s>b<i>cd</i></s></b><s><i>ef</i>g</s>h',
    );
  });

  it('nothing is opened inside code or pre, and no link inside a link', () => {
    const text = 'run npm test now';
    expect(html(text, [e('code', text, 'npm test'), e('bold', text, 'test')])).toBe('run <code>npm test</code> now');
    // Bold around code is fine.
    expect(html(text, [e('bold', text, text), e('code', text, 'npm')])).toBe('<b>run <code>npm</code> test now</b>');
    // Bold crossing into code: outside it stays bold.
    expect(html(text, [e('code', text, 'npm test'), e('bold', text, 'test now')])).toBe(
      'run <code>npm test</code><b> now</b>',
    );
    const links = 'one two';
    expect(
      html(links, [
        e('text_link', links, 'one two', { url: 'https://a.example' }),
        e('text_link', links, 'two', { url: 'https://b.example' }),
      ]),
    ).toBe('<a href="https://a.example">one two</a>');
  });

  it('entities beyond the text or empty are ignored', () => {
    expect(
      html('abc', [
        { type: 'bold', offset: 1, length: 0 },
        { type: 'italic', offset: 2, length: 10 },
      ]),
    ).toBe('ab<i>c</i>');
  });
});
