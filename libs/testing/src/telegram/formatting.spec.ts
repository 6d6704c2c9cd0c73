import { BotApiError } from './bot-api-error';
import { detectEntities, formatText, normalizeParseMode } from './formatting';

const parseFailure = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof BotApiError) return error.description;
    throw error;
  }
  throw new Error('expected a parse failure');
};

describe('parse_mode rendering', () => {
  describe('HTML', () => {
    it('renders tags to entities with UTF-16 offsets and decodes entities', () => {
      expect(formatText('🔥 <b>Hot</b> &amp; <i>new</i>&#33;', 'HTML')).toEqual({
        text: '🔥 Hot & new!',
        entities: [
          { type: 'bold', offset: 3, length: 3 },
          { type: 'italic', offset: 9, length: 3 },
        ],
      });
    });

    it('supports links, spoilers, nested tags, pre with language and blockquotes', () => {
      const html =
        '<a href="https://x.io/?a=1&amp;b=2">link</a> <tg-spoiler>s</tg-spoiler> <span class="tg-spoiler">t</span> ' +
        '<b><i>bi</i></b> <pre><code class="language-json">{}</code></pre> <blockquote expandable>q</blockquote>';
      const { text, entities } = formatText(html, 'HTML');
      expect(text).toBe('link s t bi {} q');
      expect(entities).toEqual([
        { type: 'text_link', offset: 0, length: 4, url: 'https://x.io/?a=1&b=2' },
        { type: 'spoiler', offset: 5, length: 1 },
        { type: 'spoiler', offset: 7, length: 1 },
        { type: 'bold', offset: 9, length: 2 },
        { type: 'italic', offset: 9, length: 2 },
        { type: 'pre', offset: 12, length: 2, language: 'json' },
        { type: 'expandable_blockquote', offset: 15, length: 1 },
      ]);
    });

    it('rejects what Telegram rejects', () => {
      expect(parseFailure(() => formatText('a<br>b', 'HTML'))).toBe(
        `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 1`,
      );
      expect(parseFailure(() => formatText('<b>bold', 'HTML'))).toBe(
        `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
      );
      expect(parseFailure(() => formatText('<b>x</i>', 'HTML'))).toBe(
        `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
      );
      expect(parseFailure(() => formatText('x</b>', 'HTML'))).toMatch(/Unexpected end tag at byte offset 1/);
      expect(parseFailure(() => formatText('1 < 2', 'HTML'))).toMatch(/Unclosed start tag at byte offset 2/);
      expect(parseFailure(() => formatText('<span>x</span>', 'HTML'))).toMatch(/must have class "tg-spoiler"/);
    });
  });

  describe('MarkdownV2', () => {
    it('renders entities and escapes', () => {
      expect(
        formatText('*bold* _it_ __under__ ~del~ ||sp|| `co\\`de` [a\\)b](https://e.com/\\)) 10\\.5\\!', 'MarkdownV2'),
      ).toEqual({
        text: 'bold it under del sp co`de a)b 10.5!',
        entities: [
          { type: 'bold', offset: 0, length: 4 },
          { type: 'italic', offset: 5, length: 2 },
          { type: 'underline', offset: 8, length: 5 },
          { type: 'strikethrough', offset: 14, length: 3 },
          { type: 'spoiler', offset: 18, length: 2 },
          { type: 'code', offset: 21, length: 5 },
          { type: 'text_link', offset: 27, length: 3, url: 'https://e.com/)' },
        ],
      });
    });

    it('renders pre blocks with a language and block quotes', () => {
      const { text, entities } = formatText('```python\nprint(1)\n```\n>quoted\n>lines\nafter', 'MarkdownV2');
      expect(text).toBe('print(1)\n\nquoted\nlines\nafter');
      expect(entities).toEqual([
        { type: 'pre', offset: 0, length: 9, language: 'python' },
        { type: 'blockquote', offset: 10, length: 12 },
      ]);
    });

    it('rejects unescaped reserved characters and unclosed entities', () => {
      expect(parseFailure(() => formatText('Total: 5.00', 'MarkdownV2'))).toBe(
        `Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'`,
      );
      expect(parseFailure(() => formatText('v1-2', 'MarkdownV2'))).toMatch(/Character '-' is reserved/);
      expect(parseFailure(() => formatText('ab *bold', 'MarkdownV2'))).toBe(
        `Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 3`,
      );
      expect(parseFailure(() => formatText('[link](http://x', 'MarkdownV2'))).toMatch(
        /Can't find end of TextUrl entity/,
      );
    });
  });

  describe('legacy Markdown', () => {
    it('renders the four markers and links without requiring escapes elsewhere', () => {
      expect(formatText('*b* _i_ `c` [l](https://l.io) 1.5-2!', 'Markdown')).toEqual({
        text: 'b i c l 1.5-2!',
        entities: [
          { type: 'bold', offset: 0, length: 1 },
          { type: 'italic', offset: 2, length: 1 },
          { type: 'code', offset: 4, length: 1 },
          { type: 'text_link', offset: 6, length: 1, url: 'https://l.io' },
        ],
      });
      expect(parseFailure(() => formatText('user_name', 'Markdown'))).toBe(
        `Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 4`,
      );
    });
  });

  it('trims surrounding whitespace and shifts entities, keeps explicit entities without parse_mode', () => {
    expect(formatText('  <b>hi</b>  ', 'HTML')).toEqual({
      text: 'hi',
      entities: [{ type: 'bold', offset: 0, length: 2 }],
    });
    expect(formatText('plain *text*', undefined, [{ type: 'bold', offset: 6, length: 6 }])).toEqual({
      text: 'plain *text*',
      entities: [{ type: 'bold', offset: 6, length: 6 }],
    });
  });

  it('accepts parse modes in any case and rejects unknown ones', () => {
    expect(normalizeParseMode('html')).toBe('HTML');
    expect(normalizeParseMode('markdownV2')).toBe('MarkdownV2');
    expect(normalizeParseMode(undefined)).toBeUndefined();
    expect(parseFailure(() => normalizeParseMode('BBCode'))).toBe('Bad Request: unsupported parse_mode "BBCode"');
  });

  it('detects commands, mentions, hashtags and URLs in what users type', () => {
    expect(detectEntities('/start@shop_bot ref #promo @alice https://x.io /help')).toEqual([
      { type: 'bot_command', offset: 0, length: 15 },
      { type: 'hashtag', offset: 20, length: 6 },
      { type: 'mention', offset: 27, length: 6 },
      { type: 'url', offset: 34, length: 12 },
      { type: 'bot_command', offset: 47, length: 5 },
    ]);
    expect(detectEntities('a/b 10/20')).toEqual([]);
  });
});
