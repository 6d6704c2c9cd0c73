import { cleanText, isolateDirection } from './sanitize';

/**
 * Every text a bot sends is HTML (parse_mode HTML). Anything that did not come from us — a user's name,
 * a tenant's welcome text, a support note — goes through `plain()` first: clipped to a length and
 * escaped, so it can neither break the markup nor smuggle in links or formatting (RELIABILITY.md 15).
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Shortens to at most `max` characters (code points, so an emoji is never cut in half), with an ellipsis. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/**
 * Foreign text made safe to embed in a line of an HTML message: cleaned (lone surrogates, NUL, controls and
 * direction controls, see sanitize.ts), clipped, escaped, and isolated (FSI … PDI) when it holds
 * right-to-left letters, so it cannot reorder the rest of the line.
 */
export function plain(text: string | null | undefined, max: number): string {
  return isolateDirection(plainBlock(text, max));
}

/**
 * Foreign text that is a whole message or paragraph of its own (a tenant's welcome or support text): cleaned,
 * clipped and escaped, not isolated (an isolate would hide its letters from Telegram's choice of direction).
 */
export function plainBlock(text: string | null | undefined, max: number): string {
  if (!text) return '';
  return escapeHtml(clip(cleanText(text), max));
}

/** Telegram's limits: 4096 characters of message text, 1024 of a caption, 64 of a button label, 64 bytes of callback data. */
export const TELEGRAM_LIMITS = { messageText: 4096, caption: 1024, buttonText: 64, callbackDataBytes: 64 } as const;

/**
 * A button label (plain text, no parse mode) cut to Telegram's 64 UTF-16 units — never between the halves
 * of an emoji, direction isolates left open by the cut closed — with an ellipsis; `fallback` when nothing
 * visible is left. Foreign parts of it are cleaned first (`buttonLabel`, or `plain` + `htmlToText`).
 */
export function fitLabel(text: string, fallback = '…'): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.replace(/[\u200B-\u200F\u2060\u2066-\u2069]/g, '') === '') return fallback;
  if (flat.length <= TELEGRAM_LIMITS.buttonText) return flat;
  let out = '';
  let isolates = 0;
  for (const ch of flat) {
    const opens = ch >= '\u2066' && ch <= '\u2068';
    if (out.length + ch.length + isolates + (opens ? 1 : 0) > TELEGRAM_LIMITS.buttonText - 1) break;
    out += ch;
    if (opens) isolates++;
    else if (ch === '\u2069' && isolates > 0) isolates--;
  }
  return out + '\u2069'.repeat(isolates) + '…';
}

/** A label that is foreign text as a whole (a tenant's menu button): cleaned, isolated when right-to-left, fitted. */
export function buttonLabel(text: string, fallback = '…'): string {
  return fitLabel(isolateDirection(cleanText(text).replace(/\s+/g, ' ').trim()), fallback);
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

/** One piece of our HTML: a tag (no rendered text), an entity (one character) or a plain character. */
function htmlTokens(html: string): { raw: string; kind: 'tag' | 'char'; text: string }[] {
  const tokens: { raw: string; kind: 'tag' | 'char'; text: string }[] = [];
  const pattern = /<[^>]*>|&(?:#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);|[\s\S]/gu;
  for (const [raw] of html.matchAll(pattern)) {
    if (raw.length > 1 && raw.startsWith('<')) tokens.push({ raw, kind: 'tag', text: '' });
    else if (raw.length > 1 && raw.startsWith('&')) tokens.push({ raw, kind: 'char', text: decodeEntity(raw) });
    else tokens.push({ raw, kind: 'char', text: raw });
  }
  return tokens;
}

function decodeEntity(raw: string): string {
  const name = raw.slice(1, -1);
  if (NAMED_ENTITIES[name] !== undefined) return NAMED_ENTITIES[name];
  const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : raw;
}

/** The text Telegram shows for our HTML (tags dropped, entities decoded): what its length limits count. */
export function htmlToText(html: string): string {
  return htmlTokens(html)
    .map((t) => t.text)
    .join('');
}

/**
 * Our HTML made to fit a Telegram limit (counted on the shown text, in UTF-16 units as Telegram does): when
 * it is longer, it is cut at a character — never inside a tag or an entity, never between the halves of an
 * emoji — the tags still open are closed, and `marker` is added. The text is already escaped when it comes
 * here, so the cut is the last step.
 */
export function fitHtml(html: string, limit: number, marker = '…'): string {
  if (htmlToText(html).length <= limit) return html;
  const room = limit - htmlToText(marker).length;
  const open: string[] = [];
  let out = '';
  let used = 0;
  /** Direction isolates opened and not yet closed: the cut closes them (one PDI each), so they are room too. */
  let isolates = 0;
  for (const token of htmlTokens(html)) {
    if (token.kind === 'tag') {
      const name = /^<\/?\s*([a-zA-Z][a-zA-Z0-9-]*)/.exec(token.raw)?.[1]?.toLowerCase();
      if (!name) continue;
      if (token.raw.startsWith('</')) {
        if (open[open.length - 1] === name) open.pop();
      } else {
        open.push(name);
      }
      out += token.raw;
      continue;
    }
    const opens = token.text >= '\u2066' && token.text <= '\u2068';
    if (used + token.text.length + isolates + (opens ? 1 : 0) > room) break;
    used += token.text.length;
    out += token.raw;
    if (opens) isolates++;
    else if (token.text === '\u2069' && isolates > 0) isolates--;
  }
  // Tags opened and left empty by the cut are dropped; the others are closed.
  let closed = out;
  while (open.length) {
    const name = open.pop()!;
    const empty = new RegExp(`<${name}(?:\\s[^>]*)?>$`);
    closed = empty.test(closed) ? closed.replace(empty, '') : `${closed}</${name}>`;
  }
  return closed.replace(/\s+$/u, '') + '\u2069'.repeat(isolates) + marker;
}
