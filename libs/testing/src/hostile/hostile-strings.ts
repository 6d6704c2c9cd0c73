import { parseHtml } from '../telegram/formatting';

/**
 * One shared corpus of hostile text: what users (first_name, username, a receipt's text) and tenants
 * (welcome and support texts, plan names, menu buttons, card holders) can put into a message. Every screen
 * that shows text that is not ours runs the whole corpus (README "Hostile text"): the message must still
 * parse, fit Telegram's limits and keep its warning first.
 */
export const HOSTILE_STRINGS: Readonly<Record<string, string>> = {
  htmlSpecials: '<b>&amp; "quoted" </b><a href="tg://x">x</a> & < > "',
  unclosedTag: '<b',
  entityLike: '&lt;&#0;&#xD800;&nbsp;&',
  specials4096: '"<>&'.repeat(1100), // 4,400 characters, each escaped to an entity
  long5000: 'x'.repeat(5000),
  emoji5000: '😀'.repeat(5000), // 10,000 UTF-16 units: code-point clips are not enough
  rtlOverride: '\u202Egnp.exe \u26a0 1,000', // U+202E RIGHT-TO-LEFT OVERRIDE
  rtlEscapeIsolate: '\u2069\u202Eoverride after a stray PDI', // closes a surrounding isolate, then overrides
  embeddingsUnclosed: '\u202B\u202A\u202D\u2067\u2066\u2068name',
  persianName: 'علی رضایی ⚠ 1,000',
  marks: '\u200F\u200Ename\u200F',
  zeroWidth: '\u200B\u200B\u200B',
  byteOrderMark: '\uFEFF',
  zeroWidthMixed: 'a\u200Bd\uFEFFm\u200Di\u2060n',
  loneHigh: '\uD800',
  loneLow: 'a\uDC00b',
  reversedPair: '\uDE00\uD83D',
  halfEmojiAtEnd: 'x'.repeat(63) + '\uD83D',
  nul: 'a\u0000b\u0000',
  controls: '\u0001\u0007\u001B[31mred\u007F\u0085',
  whitespace: '   \n\t  ',
  everything: '\u202E<b>&\uD800\u0000"' + 'ا'.repeat(4100) + '\uFEFF\u200B',
};

export const HOSTILE_CASES: [string, string][] = Object.entries(HOSTILE_STRINGS);

/** Telegram's limits, as its Bot API enforces them (UTF-16 units of the shown text; bytes of callback data). */
export const TELEGRAM_TEXT_LIMITS = {
  messageText: 4096,
  caption: 1024,
  buttonText: 64,
  callbackDataBytes: 64,
} as const;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const EMBEDDING_OR_OVERRIDE = /[\u202A-\u202E]/;

/** Why `text` could reorder or hide what surrounds it, else null: an embedding/override, or an unbalanced isolate. */
export function bidiProblem(text: string): string | null {
  if (EMBEDDING_OR_OVERRIDE.test(text)) return 'contains a bidi embedding or override (U+202A–U+202E)';
  // eslint-disable-next-line no-control-regex -- the bidi paragraph separators are what is matched
  for (const line of text.split(/[\n\r\u2029\u001C-\u001E\u0085]/)) {
    let depth = 0;
    for (const ch of line) {
      if (ch >= '\u2066' && ch <= '\u2068') depth++;
      else if (ch === '\u2069') {
        if (depth === 0) return 'a PDI (U+2069) closes an isolate it did not open';
        depth--;
      }
    }
    if (depth !== 0) return 'an isolate (U+2066–U+2068) is left open';
  }
  return null;
}

/** Why a string would fail at Telegram or mislead a reader, else null. */
export function stringProblem(text: string): string | null {
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (Telegram: strings must be encoded in UTF-8)';
  if (text.includes('\u0000')) return 'contains NUL';
  return bidiProblem(text);
}

/**
 * What Telegram would show for an HTML message or caption (the emulator's parser, which throws "can't parse
 * entities" where Telegram does), after checking it is well-formed, bidi-safe and within `limit`.
 */
export function checkTelegramHtml(html: string, limit: number = TELEGRAM_TEXT_LIMITS.messageText): string {
  const problem = stringProblem(html);
  if (problem) throw new Error(`${problem}: ${JSON.stringify(html.slice(0, 200))}`);
  const shown = parseHtml(html).text.trim();
  if (shown.length === 0) throw new Error('message text is empty');
  if (shown.length > limit) throw new Error(`shown text is ${shown.length} UTF-16 units, over ${limit}`);
  return shown;
}

interface ButtonLike {
  text: string;
  callback_data?: string;
  url?: string;
}

/** Checks an inline keyboard the way Telegram does: labels non-empty, well-formed, ≤ 64; callback data 1–64 bytes. */
export function checkKeyboard(keyboard: readonly (readonly ButtonLike[])[] | undefined): void {
  for (const row of keyboard ?? []) {
    for (const b of row) {
      const problem = stringProblem(b.text);
      if (problem) throw new Error(`button ${JSON.stringify(b.text.slice(0, 80))}: ${problem}`);
      if (b.text.trim().length === 0) throw new Error('a button label is empty');
      if (b.text.length > TELEGRAM_TEXT_LIMITS.buttonText) {
        throw new Error(`button label is ${b.text.length} UTF-16 units, over ${TELEGRAM_TEXT_LIMITS.buttonText}`);
      }
      if (b.callback_data !== undefined) {
        const size = Buffer.byteLength(b.callback_data, 'utf8');
        if (size < 1 || size > TELEGRAM_TEXT_LIMITS.callbackDataBytes)
          throw new Error(`callback data of ${size} bytes`);
      }
    }
  }
}
