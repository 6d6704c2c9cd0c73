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

/** Foreign text made safe to embed in an HTML message: clipped, control characters removed, escaped. */
export function plain(text: string | null | undefined, max: number): string {
  if (!text) return '';
  // eslint-disable-next-line no-control-regex
  const cleaned = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
  return escapeHtml(clip(cleaned, max));
}

/** Telegram's limits: 4096 characters of message text, 64 of a button label, 64 bytes of callback data. */
export const TELEGRAM_LIMITS = { messageText: 4096, buttonText: 64, callbackDataBytes: 64 } as const;
