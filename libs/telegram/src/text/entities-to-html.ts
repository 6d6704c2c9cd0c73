import { isLinkUrl } from '@botfleet/broadcasts';
import { escapeHtml } from './html';

/** A Bot API MessageEntity, as far as this needs it (Telegraf's union types fit it). */
export interface TextEntity {
  type: string;
  /** In UTF-16 code units, like JavaScript string indices. */
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

interface Tag {
  open: string;
  close: string;
  /** Nothing may be opened inside it (code, pre). */
  leaf: boolean;
  link: boolean;
}

const SIMPLE: Record<string, string> = {
  bold: 'b',
  italic: 'i',
  underline: 'u',
  strikethrough: 's',
  spoiler: 'tg-spoiler',
  blockquote: 'blockquote',
};

/** The tag an entity becomes in the bot's HTML subset; undefined for what stays plain text. */
function tagFor(e: TextEntity): Tag | undefined {
  const simple = SIMPLE[e.type];
  if (simple) return { open: `<${simple}>`, close: `</${simple}>`, leaf: false, link: false };
  switch (e.type) {
    case 'expandable_blockquote':
      return { open: '<blockquote expandable>', close: '</blockquote>', leaf: false, link: false };
    case 'code':
      return { open: '<code>', close: '</code>', leaf: true, link: false };
    case 'pre':
      return e.language && /^[\w+#-]{1,40}$/.test(e.language)
        ? { open: `<pre><code class="language-${e.language}">`, close: '</code></pre>', leaf: true, link: false }
        : { open: '<pre>', close: '</pre>', leaf: true, link: false };
    case 'text_link':
      return e.url && isLinkUrl(e.url)
        ? { open: `<a href="${escapeHtml(e.url)}">`, close: '</a>', leaf: false, link: true }
        : undefined;
    default:
      // mention, hashtag, url, bot_command, custom_emoji, text_mention…: the text as it is.
      return undefined;
  }
}

/** Whether the message carries formatting made with Telegram's own tools (not only what Telegram detects itself). */
export function hasFormatting(entities: readonly TextEntity[] | undefined): boolean {
  return (entities ?? []).some((e) => tagFor(e) !== undefined);
}

/** A boundary never falls between the two halves of a surrogate pair (it moves past the pair). */
function snap(text: string, i: number): number {
  const at = Math.max(0, Math.min(text.length, Math.trunc(i)));
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff ? at + 1 : at;
}

/**
 * A message's text and its entities (what an admin formats with Telegram's tools) as the bot's HTML subset:
 * the text escaped, each supported entity a tag. Entities may nest or overlap; the tags are always well nested
 * (an entity that crosses another is closed and opened again), nothing is opened inside code or pre and no link
 * inside a link (Telegram allows neither), and unsupported entities stay plain text.
 */
export function entitiesToHtml(text: string, entities: readonly TextEntity[] | undefined): string {
  const spans = (entities ?? [])
    .map((e, index) => ({ tag: tagFor(e), start: snap(text, e.offset), end: snap(text, e.offset + e.length), index }))
    .filter((s): s is { tag: Tag; start: number; end: number; index: number } => !!s.tag && s.end > s.start)
    // Outer first: the earlier start, then the longer one, then the order Telegram gave.
    .sort((a, b) => a.start - b.start || b.end - a.end || a.index - b.index);
  const cuts = [...new Set([0, text.length, ...spans.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
  const stack: (typeof spans)[number][] = [];
  let html = '';
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [from, to] = [cuts[k], cuts[k + 1]];
    const wanted: typeof spans = [];
    let linked = false;
    for (const s of spans) {
      if (s.start > from || s.end < to) continue;
      if (s.tag.link && linked) continue;
      wanted.push(s);
      linked ||= s.tag.link;
      if (s.tag.leaf) break;
    }
    let same = 0;
    while (same < stack.length && same < wanted.length && stack[same] === wanted[same]) same++;
    while (stack.length > same) html += stack.pop()!.tag.close;
    for (const s of wanted.slice(same)) {
      html += s.tag.open;
      stack.push(s);
    }
    html += escapeHtml(text.slice(from, to));
  }
  while (stack.length > 0) html += stack.pop()!.tag.close;
  return html;
}
