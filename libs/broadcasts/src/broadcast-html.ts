/**
 * The bot's HTML subset (Telegram's `parse_mode: HTML`), checked on the domain side before a broadcast is
 * stored, so a draft that Telegram would refuse is a 400 naming the problem, not 2,000 failed deliveries.
 * Tags: b strong i em u ins s strike del, span class="tg-spoiler", tg-spoiler, a href="http(s)://… | tg://…",
 * code, pre (with an optional code class="language-…" inside), blockquote [expandable], tg-emoji emoji-id.
 * Entities: &lt; &gt; &amp; &quot; and numeric ones. Text that is not well-formed (lone surrogates), NUL and
 * other control characters (but tab and newline) and direction overrides are refused, not silently changed.
 */

const SIMPLE_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'tg-spoiler', 'code', 'pre']);
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069\uFEFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const TAG = /^<(\/?)([a-z][a-z-]*)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>/i;
const ATTR = /\s+([a-z-]+)(?:="([^"<>]*)")?/gi;

export interface HtmlCheck {
  /** What is wrong, in words a reseller understands; undefined when the text is fine. */
  problem?: string;
  /** The text as users see it (tags gone, entities decoded). */
  shown: string;
}

/** Whether a link target is one Telegram accepts in a message: http(s) or tg://. */
export function isLinkUrl(value: string): boolean {
  if (value.length > 1000 || FORBIDDEN_CHARS.test(value) || /\s/.test(value)) return false;
  try {
    const u = new URL(value);
    return ((u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.length > 0) || u.protocol === 'tg:';
  } catch {
    return false;
  }
}

function decodeEntity(name: string): string | undefined {
  if (name.startsWith('#x') || name.startsWith('#X')) {
    const code = Number.parseInt(name.slice(2), 16);
    return /^[0-9a-f]+$/i.test(name.slice(2)) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  if (name.startsWith('#')) {
    const code = Number(name.slice(1));
    return /^\d+$/.test(name.slice(1)) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  return NAMED_ENTITIES[name];
}

function attributesOf(raw: string): Map<string, string | true> | string {
  const attrs = new Map<string, string | true>();
  for (const m of raw.matchAll(ATTR)) {
    const name = m[1].toLowerCase();
    if (attrs.has(name)) return `the attribute ${name} is given twice`;
    attrs.set(name, m[2] ?? true);
  }
  return attrs;
}

/** Checks one opening tag; returns a problem or nothing. */
function checkOpening(tag: string, attrs: Map<string, string | true>, open: string[]): string | undefined {
  const only = (...allowed: string[]) => {
    for (const name of attrs.keys()) if (!allowed.includes(name)) return `<${tag}> cannot have the attribute ${name}`;
    return undefined;
  };
  if (open.includes('code') || (open.includes('pre') && tag !== 'code')) {
    return `<${tag}> cannot be inside <${open.includes('code') ? 'code' : 'pre'}>`;
  }
  if (tag === 'code' && open[open.length - 1] === 'pre') {
    const cls = attrs.get('class');
    if (cls !== undefined && !(typeof cls === 'string' && /^language-[\w+#-]{1,40}$/.test(cls))) {
      return '<code> inside <pre> may only have class="language-…"';
    }
    return only('class');
  }
  if (SIMPLE_TAGS.has(tag)) return only();
  switch (tag) {
    case 'span':
      return attrs.get('class') === 'tg-spoiler' && attrs.size === 1
        ? undefined
        : '<span> is only allowed as <span class="tg-spoiler">';
    case 'a': {
      if (open.includes('a')) return 'a link cannot be inside another link';
      const href = attrs.get('href');
      if (typeof href !== 'string' || !isLinkUrl(href.replace(/&amp;/g, '&'))) {
        return '<a> needs href="…" with an http(s):// or tg:// link';
      }
      return only('href');
    }
    case 'blockquote':
      return only('expandable');
    case 'tg-emoji':
      return typeof attrs.get('emoji-id') === 'string' ? only('emoji-id') : '<tg-emoji> needs emoji-id="…"';
    default:
      return `<${tag}> is not supported (use b, i, u, s, a, code, pre, blockquote, tg-spoiler)`;
  }
}

/** Checks `html` against the bot's HTML subset and returns what users would see. */
export function checkTelegramHtml(html: string): HtmlCheck {
  if (LONE_SURROGATE.test(html)) return { problem: 'the text is not valid Unicode', shown: '' };
  if (FORBIDDEN_CHARS.test(html)) return { problem: 'the text contains control characters', shown: '' };
  const open: string[] = [];
  let shown = '';
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === '<') {
      const m = TAG.exec(html.slice(i, i + 2_000));
      if (!m) return { problem: `"<" at position ${i} does not start a tag (write &lt; for the character)`, shown };
      const [whole, closing, rawName, rawAttrs] = m;
      const tag = rawName.toLowerCase();
      if (closing) {
        if (rawAttrs.trim()) return { problem: `</${tag}> cannot have attributes`, shown };
        const top = open.pop();
        if (top !== tag) {
          return { problem: top ? `</${tag}> closes <${top}>` : `</${tag}> closes nothing`, shown };
        }
      } else {
        const attrs = attributesOf(rawAttrs);
        if (typeof attrs === 'string') return { problem: attrs, shown };
        const problem = checkOpening(tag, attrs, open);
        if (problem) return { problem, shown };
        open.push(tag);
      }
      i += whole.length;
      continue;
    }
    if (ch === '>') return { problem: `">" at position ${i} must be written &gt;`, shown };
    if (ch === '&') {
      const end = html.indexOf(';', i);
      const decoded = end > i && end - i <= 10 ? decodeEntity(html.slice(i + 1, end)) : undefined;
      if (decoded === undefined) {
        return { problem: `"&" at position ${i} must be written &amp; (or start an entity like &lt;)`, shown };
      }
      shown += decoded;
      i = end + 1;
      continue;
    }
    shown += ch;
    i++;
  }
  if (open.length > 0) return { problem: `<${open[open.length - 1]}> is never closed`, shown };
  return { shown };
}
