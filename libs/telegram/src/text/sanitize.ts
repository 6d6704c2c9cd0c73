/**
 * Text that is not ours (a user's name, a receipt's text, a tenant's welcome text, a plan name) is cleaned
 * before it is put into a message (README "Hostile text"):
 * - lone UTF-16 surrogates become U+FFFD (Telegram refuses strings that are not valid UTF-8);
 * - NUL and other control characters (but tab and newline) are removed, and so is U+FEFF; CR, U+2028 and
 *   U+2029 become a newline;
 * - explicit direction controls (embeddings, overrides, isolates: U+202A–U+202E, U+2066–U+2069) are removed,
 *   so a name cannot reorder the rest of its line (a warning, an amount);
 * - a fragment shown inside one of our lines that holds right-to-left letters is isolated (FSI … PDI), so its
 *   direction stays its own.
 */

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF\u202A-\u202E\u2066-\u2069]/g;
/** Letters written right to left: Hebrew, Arabic, Syriac, Thaana, NKo… and their presentation forms. */
const RIGHT_TO_LEFT =
  /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]|\uD802[\uDC00-\uDFFF]|\uD803[\uDC00-\uDFFF]|\uD83A[\uDC00-\uDFFF]|\uD83B[\uDC00-\uDEFF]/;

const FSI = '\u2068';
const PDI = '\u2069';

/** Every lone surrogate replaced by U+FFFD, so the string can be encoded as UTF-8. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATES, '\uFFFD');
}

/** Well-formed, without NUL, controls (but tab and newline; other line breaks become a newline), U+FEFF or explicit direction controls. */
export function cleanText(text: string): string {
  return wellFormed(text)
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(CONTROLS, '');
}

/** Whether a cleaned text holds right-to-left letters. */
export function hasRightToLeft(text: string): boolean {
  return RIGHT_TO_LEFT.test(text);
}

/**
 * A cleaned fragment with each of its lines that holds right-to-left letters isolated (FSI … PDI: a line
 * break ends every isolate, so each line gets its own); other lines are left as they are.
 */
export function isolateDirection(cleaned: string): string {
  if (!hasRightToLeft(cleaned)) return cleaned;
  return cleaned
    .split('\n')
    .map((line) => (hasRightToLeft(line) ? `${FSI}${line}${PDI}` : line))
    .join('\n');
}

/** Text from Telegram as PostgreSQL can store it (a receipt's text): well-formed, without NUL. */
export function storableText(text: string): string {
  return wellFormed(text).replaceAll('\u0000', '');
}

/**
 * The last line before a request leaves for Telegram: every string in it (deeply, plain objects and arrays
 * only, so uploads stay as they are) made well-formed and without NUL.
 */
export function wellFormedPayload<T>(value: T): T {
  if (typeof value === 'string') {
    return storableText(value) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => wellFormedPayload(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = wellFormedPayload(v);
    return out as T;
  }
  return value;
}
