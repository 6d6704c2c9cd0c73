import { badRequest, type BotApiError } from './bot-api-error';
import type { MessageEntity } from './bot-api-types';
import { isRecord } from './params';

/**
 * parse_mode handling. Formatting mistakes (an unescaped '.' in MarkdownV2, a `<br>` in HTML, a user's
 * name with '<' pasted into an HTML message) are among the most common ways a bot breaks in
 * production, so the emulator rejects them the way Telegram does instead of storing the text blindly.
 * Offsets are in UTF-16 code units, like Telegram's, which is what JavaScript string indices are.
 */

export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

export type ParseMode = 'HTML' | 'MarkdownV2' | 'Markdown';

export function normalizeParseMode(value: string | undefined): ParseMode | undefined {
  if (value === undefined || value === '') return undefined;
  switch (value.toLowerCase()) {
    case 'html':
      return 'HTML';
    case 'markdownv2':
      return 'MarkdownV2';
    case 'markdown':
      return 'Markdown';
    default:
      throw badRequest(`unsupported parse_mode "${value}"`);
  }
}

const parseError = (reason: string): BotApiError => badRequest(`can't parse entities: ${reason}`);

const byteOffset = (src: string, index: number): number => Buffer.byteLength(src.slice(0, index), 'utf8');

/** Renders `raw` the way Telegram stores it: markup removed, entities computed, surrounding whitespace trimmed. */
export function formatText(raw: string, parseMode: ParseMode | undefined, explicitEntities?: unknown): FormattedText {
  let formatted: FormattedText;
  if (parseMode === 'HTML') formatted = parseHtml(raw);
  else if (parseMode === 'MarkdownV2') formatted = parseMarkdownV2(raw);
  else if (parseMode === 'Markdown') formatted = parseLegacyMarkdown(raw);
  else formatted = { text: raw, entities: readExplicitEntities(explicitEntities, raw.length) };
  return trimFormatted(formatted);
}

function readExplicitEntities(value: unknown, textLength: number): MessageEntity[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw parseError('entities must be an array');
  const entities: MessageEntity[] = [];
  for (const item of value) {
    if (!isRecord(item) || typeof item.type !== 'string') throw parseError('entity type is missing');
    const { offset, length } = item;
    if (typeof offset !== 'number' || typeof length !== 'number' || offset < 0 || length <= 0) {
      throw parseError('entity offset or length is invalid');
    }
    if (offset + length > textLength) continue;
    const entity: MessageEntity = { type: item.type, offset, length };
    if (typeof item.url === 'string') entity.url = item.url;
    if (typeof item.language === 'string') entity.language = item.language;
    if (typeof item.custom_emoji_id === 'string') entity.custom_emoji_id = item.custom_emoji_id;
    entities.push(entity);
  }
  return sortEntities(entities);
}

function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
}

function trimFormatted({ text, entities }: FormattedText): FormattedText {
  const lead = text.length - text.trimStart().length;
  const trimmed = text.trim();
  if (lead === 0 && trimmed.length === text.length) return { text, entities };
  const end = trimmed.length;
  const kept: MessageEntity[] = [];
  for (const entity of entities) {
    const start = Math.max(0, entity.offset - lead);
    const stop = Math.min(end, entity.offset + entity.length - lead);
    if (stop > start) kept.push({ ...entity, offset: start, length: stop - start });
  }
  return { text: trimmed, entities: kept };
}

// ---------------------------------------------------------------------------------------------
// HTML

const HTML_TAGS: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  span: 'spoiler',
  'tg-spoiler': 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};

interface OpenHtmlTag {
  tag: string;
  entity: MessageEntity | undefined;
  /** A `<code class="language-x">` directly inside `<pre>` sets the pre's language instead of being an entity. */
  languageOf: OpenHtmlTag | undefined;
}

function decodeHtmlEntity(src: string, start: number): { text: string; end: number } | undefined {
  const semicolon = src.indexOf(';', start);
  if (semicolon < 0 || semicolon - start > 10) return undefined;
  const name = src.slice(start + 1, semicolon);
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
  if (named[name] !== undefined) return { text: named[name], end: semicolon + 1 };
  const numeric = /^#(?:x([0-9a-fA-F]+)|(\d+))$/.exec(name);
  if (!numeric) return undefined;
  const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2], 10);
  if (code > 0x10ffff) return undefined;
  return { text: String.fromCodePoint(code), end: semicolon + 1 };
}

/** Finds the `>` closing a tag, ignoring any inside quoted attribute values. */
function findTagEnd(src: string, start: number): number {
  let quote: string | undefined;
  for (let i = start; i < src.length; i++) {
    const ch = src[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '>') {
      return i;
    }
  }
  return -1;
}

function parseAttributes(src: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const match of src.matchAll(pattern)) {
    const value = match[2] ?? match[3] ?? match[4] ?? '';
    attributes.set(match[1].toLowerCase(), decodeAttribute(value));
  }
  return attributes;
}

function decodeAttribute(value: string): string {
  return value.replace(/&[^;\s]{1,10};/g, (entity) => decodeHtmlEntity(entity, 0)?.text ?? entity);
}

export function parseHtml(src: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const stack: OpenHtmlTag[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '&') {
      const decoded = decodeHtmlEntity(src, i);
      out += decoded ? decoded.text : '&';
      i = decoded ? decoded.end : i + 1;
      continue;
    }
    if (ch !== '<') {
      let j = i + 1;
      while (j < src.length && src[j] !== '<' && src[j] !== '&') j++;
      out += src.slice(i, j);
      i = j;
      continue;
    }
    const end = findTagEnd(src, i + 1);
    if (src[i + 1] === '/') {
      if (end < 0) throw parseError(`Unclosed end tag at byte offset ${byteOffset(src, i)}`);
      const name = src
        .slice(i + 2, end)
        .trim()
        .toLowerCase();
      const open = stack.pop();
      if (!open) throw parseError(`Unexpected end tag at byte offset ${byteOffset(src, i)}`);
      if (open.tag !== name) throw parseError(`Can't find end tag corresponding to start tag "${open.tag}"`);
      if (open.entity) open.entity.length = out.length - open.entity.offset;
      i = end + 1;
      continue;
    }
    if (end < 0) throw parseError(`Unclosed start tag at byte offset ${byteOffset(src, i)}`);
    const inner = src.slice(i + 1, end);
    const name = (/^[a-zA-Z][a-zA-Z0-9-]*/.exec(inner)?.[0] ?? '').toLowerCase();
    const type = HTML_TAGS[name];
    if (type === undefined) throw parseError(`Unsupported start tag "${name}" at byte offset ${byteOffset(src, i)}`);
    const attributes = parseAttributes(inner.slice(name.length));
    const open = openHtmlTag(name, type, attributes, out.length, stack[stack.length - 1], byteOffset(src, i));
    // Listed when opened, so that an outer entity precedes an inner one covering the same text.
    if (open.entity) entities.push(open.entity);
    stack.push(open);
    i = end + 1;
  }
  const unclosed = stack.pop();
  if (unclosed) throw parseError(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  return { text: out, entities: sortEntities(entities.filter((entity) => entity.length > 0)) };
}

function openHtmlTag(
  tag: string,
  type: string,
  attributes: Map<string, string>,
  offset: number,
  parent: OpenHtmlTag | undefined,
  at: number,
): OpenHtmlTag {
  const entity: MessageEntity = { type, offset, length: 0 };
  if (tag === 'span' && attributes.get('class') !== 'tg-spoiler') {
    throw parseError(`Tag "span" must have class "tg-spoiler" at byte offset ${at}`);
  }
  if (tag === 'a') {
    const href = attributes.get('href');
    // Telegram keeps the text of a link without href but makes no entity of it.
    if (!href) return { tag, entity: undefined, languageOf: undefined };
    entity.url = href;
  }
  if (tag === 'tg-emoji') {
    const id = attributes.get('emoji-id');
    if (!id) throw parseError(`Custom emoji identifier is missing at byte offset ${at}`);
    entity.custom_emoji_id = id;
  }
  if (tag === 'blockquote' && attributes.has('expandable')) entity.type = 'expandable_blockquote';
  const language = attributes.get('class');
  if (tag === 'code' && parent?.tag === 'pre' && parent.entity && language?.startsWith('language-')) {
    parent.entity.language = language.slice('language-'.length);
    return { tag, entity: undefined, languageOf: parent };
  }
  return { tag, entity, languageOf: undefined };
}

// ---------------------------------------------------------------------------------------------
// MarkdownV2

const MARKDOWN_V2_RESERVED = new Set('_*[]()~`>#+-=|{}.!'.split(''));

const ENTITY_NAMES: Record<string, string> = {
  bold: 'Bold',
  italic: 'Italic',
  underline: 'Underline',
  strikethrough: 'Strikethrough',
  spoiler: 'Spoiler',
  text_link: 'TextUrl',
  custom_emoji: 'CustomEmoji',
  code: 'Code',
  pre: 'Pre',
};

const MARKERS: Record<string, string> = {
  '*': 'bold',
  _: 'italic',
  __: 'underline',
  '~': 'strikethrough',
  '||': 'spoiler',
};

interface OpenMarker {
  marker: string;
  type: string;
  /** Listed when opened (length filled in when closed), so outer entities precede inner ones. */
  entity: MessageEntity;
  at: number;
}

/** Reads up to an unescaped `terminator`, where '\' escapes any ASCII character. */
function readEscapedUntil(src: string, start: number, terminator: string): { text: string; end: number } | undefined {
  let text = '';
  let i = start;
  while (i < src.length) {
    if (src.startsWith(terminator, i)) return { text, end: i + terminator.length };
    const ch = src[i];
    if (ch === '\\' && i + 1 < src.length) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    text += ch;
    i++;
  }
  return undefined;
}

export function parseMarkdownV2(src: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const open: OpenMarker[] = [];
  let quote: { entity: MessageEntity } | undefined;
  const closeQuote = (end: number): void => {
    if (!quote) return;
    quote.entity.length = end - quote.entity.offset;
    if (quote.entity.length > 0) entities.push(quote.entity);
    quote = undefined;
  };
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    const lineStart = i === 0 || src[i - 1] === '\n';
    if (ch === '\\') {
      const next = src.charCodeAt(i + 1);
      if (next >= 1 && next <= 126) {
        out += src[i + 1];
        i += 2;
        continue;
      }
      throw parseError(`Character '\\' is reserved and must be escaped with the preceding '\\'`);
    }
    if (lineStart && (ch === '>' || src.startsWith('**>', i))) {
      const expandable = ch === '*';
      if (!quote)
        quote = {
          entity: { type: expandable ? 'expandable_blockquote' : 'blockquote', offset: out.length, length: 0 },
        };
      i += expandable ? 3 : 1;
      continue;
    }
    if (ch === '\n') {
      out += '\n';
      i++;
      if (quote && src[i] !== '>') closeQuote(out.length - 1);
      continue;
    }
    if (ch === '`') {
      const at = byteOffset(src, i);
      if (src.startsWith('```', i)) {
        const body = readEscapedUntil(src, i + 3, '```');
        if (!body) throw parseError(`Can't find end of Pre entity at byte offset ${at}`);
        const newline = body.text.indexOf('\n');
        const language = newline > 0 && !/\s/.test(body.text.slice(0, newline)) ? body.text.slice(0, newline) : '';
        const content = newline >= 0 && (language !== '' || newline === 0) ? body.text.slice(newline + 1) : body.text;
        const entity: MessageEntity = { type: 'pre', offset: out.length, length: content.length };
        if (language) entity.language = language;
        if (content.length > 0) entities.push(entity);
        out += content;
        i = body.end;
        continue;
      }
      const body = readEscapedUntil(src, i + 1, '`');
      if (!body) throw parseError(`Can't find end of Code entity at byte offset ${at}`);
      if (body.text.length > 0) entities.push({ type: 'code', offset: out.length, length: body.text.length });
      out += body.text;
      i = body.end;
      continue;
    }
    if (ch === '[' || (ch === '!' && src[i + 1] === '[')) {
      const type = ch === '!' ? 'custom_emoji' : 'text_link';
      const entity: MessageEntity = { type, offset: out.length, length: 0 };
      entities.push(entity);
      open.push({ marker: '[', type, entity, at: byteOffset(src, i) });
      i += ch === '!' ? 2 : 1;
      continue;
    }
    if (ch === ']') {
      const link = open[open.length - 1];
      if (!link || link.marker !== '[') {
        throw parseError(`Character ']' is reserved and must be escaped with the preceding '\\'`);
      }
      const url = src[i + 1] === '(' ? readEscapedUntil(src, i + 2, ')') : undefined;
      if (!url) throw parseError(`Can't find end of ${ENTITY_NAMES[link.type]} entity at byte offset ${link.at}`);
      open.pop();
      const entity = link.entity;
      entity.length = out.length - entity.offset;
      if (link.type === 'custom_emoji') entity.custom_emoji_id = url.text.replace(/^tg:\/\/emoji\?id=/, '');
      else entity.url = url.text;
      i = url.end;
      continue;
    }
    if (ch === '|' && src[i + 1] === '|' && quote?.entity.type === 'expandable_blockquote') {
      const after = src[i + 2];
      if (after === undefined || after === '\n') {
        i += 2;
        continue;
      }
    }
    if (ch === '*' || ch === '_' || ch === '~' || (ch === '|' && src[i + 1] === '|')) {
      const marker = (ch === '_' || ch === '|') && src[i + 1] === ch ? ch + ch : ch;
      const type = MARKERS[marker];
      let index = -1;
      for (let k = open.length - 1; k >= 0; k--) {
        if (open[k].marker === marker) {
          index = k;
          break;
        }
      }
      if (index >= 0) {
        const [started] = open.splice(index, 1);
        started.entity.length = out.length - started.entity.offset;
      } else {
        const entity: MessageEntity = { type, offset: out.length, length: 0 };
        entities.push(entity);
        open.push({ marker, type, entity, at: byteOffset(src, i) });
      }
      i += marker.length;
      continue;
    }
    if (MARKDOWN_V2_RESERVED.has(ch)) {
      throw parseError(`Character '${ch}' is reserved and must be escaped with the preceding '\\'`);
    }
    out += ch;
    i++;
  }
  closeQuote(out.length);
  const unclosed = open[0];
  if (unclosed)
    throw parseError(`Can't find end of ${ENTITY_NAMES[unclosed.type]} entity at byte offset ${unclosed.at}`);
  return { text: out, entities: sortEntities(entities.filter((entity) => entity.length > 0)) };
}

// ---------------------------------------------------------------------------------------------
// Legacy Markdown: no nesting, no escaping needed except for the markers themselves.

export function parseLegacyMarkdown(src: string): FormattedText {
  let out = '';
  const entities: MessageEntity[] = [];
  let i = 0;
  const unclosed = (start: number): BotApiError =>
    parseError(`Can't find end of the entity starting at byte offset ${byteOffset(src, start)}`);
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\\' && '_*`['.includes(src[i + 1] ?? '')) {
      out += src[i + 1];
      i += 2;
      continue;
    }
    if (ch === '*' || ch === '_') {
      const end = src.indexOf(ch, i + 1);
      if (end < 0) throw unclosed(i);
      const content = src.slice(i + 1, end);
      if (content.length > 0)
        entities.push({ type: ch === '*' ? 'bold' : 'italic', offset: out.length, length: content.length });
      out += content;
      i = end + 1;
      continue;
    }
    if (ch === '`') {
      const fence = src.startsWith('```', i) ? '```' : '`';
      const end = src.indexOf(fence, i + fence.length);
      if (end < 0) throw unclosed(i);
      let content = src.slice(i + fence.length, end);
      const entity: MessageEntity = { type: fence === '```' ? 'pre' : 'code', offset: out.length, length: 0 };
      if (fence === '```') {
        const newline = content.indexOf('\n');
        if (newline > 0 && !/\s/.test(content.slice(0, newline))) {
          entity.language = content.slice(0, newline);
          content = content.slice(newline + 1);
        }
      }
      entity.length = content.length;
      if (content.length > 0) entities.push(entity);
      out += content;
      i = end + fence.length;
      continue;
    }
    if (ch === '[') {
      const close = src.indexOf(']', i + 1);
      if (close < 0) throw unclosed(i);
      const content = src.slice(i + 1, close);
      if (src[close + 1] === '(') {
        const urlEnd = src.indexOf(')', close + 2);
        if (urlEnd < 0) throw unclosed(i);
        if (content.length > 0) {
          entities.push({
            type: 'text_link',
            offset: out.length,
            length: content.length,
            url: src.slice(close + 2, urlEnd),
          });
        }
        out += content;
        i = urlEnd + 1;
        continue;
      }
      out += `[${content}]`;
      i = close + 1;
      continue;
    }
    out += ch;
    i++;
  }
  return { text: out, entities: sortEntities(entities) };
}

// ---------------------------------------------------------------------------------------------
// Entities Telegram adds by itself to what users type; Telegraf's command matching depends on them.

const AUTO_ENTITY_PATTERN =
  /(^|[\s([{,;])(?:(\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)|(@[A-Za-z0-9_]{4,32})|(#[\p{L}\p{N}_]+)|(https?:\/\/[^\s]+))/gu;

export function detectEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const match of text.matchAll(AUTO_ENTITY_PATTERN)) {
    const [, prefix, command, mention, hashtag, url] = match;
    const value = command ?? mention ?? hashtag ?? url;
    if (value === undefined || match.index === undefined) continue;
    const type = command ? 'bot_command' : mention ? 'mention' : hashtag ? 'hashtag' : 'url';
    entities.push({ type, offset: match.index + prefix.length, length: value.length });
  }
  return entities;
}
