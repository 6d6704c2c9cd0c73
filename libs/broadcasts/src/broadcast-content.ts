import { DomainError, ErrorCode } from '@botfleet/common';
import type { BroadcastButton } from '@botfleet/dal';
import { checkTelegramHtml, isLinkUrl } from './broadcast-html';

export const AUDIENCE_SEGMENTS = ['all', 'active', 'expired', 'never_bought'] as const;
export type AudienceSegment = (typeof AUDIENCE_SEGMENTS)[number];
export const AUDIENCE_LANGUAGES = ['fa', 'en', 'ru'] as const;
export type AudienceLanguage = (typeof AUDIENCE_LANGUAGES)[number];

/** Who gets a broadcast: everyone, those with an active subscription, those whose ended, those who never paid. */
export interface BroadcastAudience {
  segment: AudienceSegment;
  /** Only users speaking this language (a user without one speaks the bot's default language). */
  language?: AudienceLanguage;
}

export interface BroadcastContent {
  /** The message in the bot's HTML subset. */
  text: string;
  /** A Telegram file_id, or an http(s) URL of a picture; the text becomes its caption. */
  photo?: string | null;
  /** URL buttons, one per row. */
  buttons?: BroadcastButton[];
}

/** Telegram's limits: a message's text, a photo's caption (what users see, tags not counted). */
export const MESSAGE_TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
export const MAX_BUTTONS = 10;
export const BUTTON_TEXT_LIMIT = 64;
const FILE_ID = /^[A-Za-z0-9_-]{10,300}$/;

/** A picture uploaded for a draft (POST …/photo): its types and size, checked before anything is stored. */
export const BROADCAST_PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const BROADCAST_PHOTO_MAX_BYTES = 5 * 1024 * 1024;

/** The picture type its first bytes show (JPEG, PNG, WebP); null for anything else. */
export function sniffPhotoType(data: Buffer): (typeof BROADCAST_PHOTO_TYPES)[number] | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') {
    return 'image/webp';
  }
  return null;
}

function invalid(field: string, error: string): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, `${field}: ${error}`, [{ field, errors: [error] }]);
}

/**
 * Checks a broadcast's content the way Telegram will; a problem is a VALIDATION_FAILED naming the field.
 * `uploadedPhoto`: the draft has a picture uploaded instead of `photo` (the text is its caption all the same).
 */
export function checkBroadcastContent(c: BroadcastContent, uploadedPhoto = false): void {
  const html = checkTelegramHtml(c.text);
  if (html.problem) throw invalid('text', html.problem);
  if (html.shown.trim().length === 0) throw invalid('text', 'the text shows nothing');
  const captioned = !!c.photo || uploadedPhoto;
  const limit = captioned ? CAPTION_LIMIT : MESSAGE_TEXT_LIMIT;
  if (html.shown.length > limit) {
    throw invalid(
      'text',
      `users would see ${html.shown.length} characters, over ${limit}${captioned ? ' (a caption)' : ''}`,
    );
  }
  if (c.photo !== undefined && c.photo !== null && !FILE_ID.test(c.photo) && !isLinkUrl(c.photo)) {
    throw invalid('photo', 'must be a Telegram file_id or an http(s) URL');
  }
  if (c.photo && c.photo.startsWith('tg:')) throw invalid('photo', 'must be a Telegram file_id or an http(s) URL');
  const buttons = c.buttons ?? [];
  if (buttons.length > MAX_BUTTONS) throw invalid('buttons', `at most ${MAX_BUTTONS} buttons`);
  buttons.forEach((b, i) => {
    const label = checkTelegramHtml(b.text);
    if (label.problem || b.text.trim().length === 0 || b.text.length > BUTTON_TEXT_LIMIT || /[<>&]/.test(b.text)) {
      throw invalid(`buttons.${i}.text`, `1-${BUTTON_TEXT_LIMIT} characters of plain text`);
    }
    if (!isLinkUrl(b.url)) throw invalid(`buttons.${i}.url`, 'must be an http(s):// or tg:// link');
  });
}

/** The audience as stored in `broadcasts.filter`. */
export function audienceOf(filter: Record<string, unknown>): BroadcastAudience {
  const segment = AUDIENCE_SEGMENTS.find((s) => s === filter.segment) ?? 'all';
  const language = AUDIENCE_LANGUAGES.find((l) => l === filter.language);
  return language ? { segment, language } : { segment };
}

/**
 * The Bot API call that sends a broadcast (without its chat): a message, or a photo with the text as caption,
 * in HTML, with its URL buttons. Plain data, so the worker sends it through the Messenger.
 */
export function broadcastMessage(c: { text: string; photo: string | null; buttons: BroadcastButton[] }): {
  method: 'sendMessage' | 'sendPhoto';
  payload: Record<string, unknown>;
} {
  const markup = c.buttons.length > 0 ? { reply_markup: { inline_keyboard: c.buttons.map((b) => [b]) } } : {};
  if (c.photo) {
    return { method: 'sendPhoto', payload: { photo: c.photo, caption: c.text, parse_mode: 'HTML', ...markup } };
  }
  return { method: 'sendMessage', payload: { text: c.text, parse_mode: 'HTML', ...markup } };
}
