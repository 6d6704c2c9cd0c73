/** Telegram bot tokens (`123456:ABC…`) anywhere in a string, including inside Bot API URLs. */
const TELEGRAM_TOKEN = /(?<![0-9])\d{5,12}:[A-Za-z0-9_-]{30,}/g;
/** Our API tokens and the master token. */
const API_TOKEN = /\bbf[tm]_[A-Za-z0-9_-]{20,}\b/g;
const BEARER = /(Bearer\s+)[^\s"']+/gi;
/** The web console's signed receipt-photo URLs: a capability for minutes, kept out of request logs. */
const SIGNED_MEDIA = /(\/v1\/media\/receipts\/)[^\s"'?#]+/g;

/** Removes anything that looks like a secret from a string before it is logged or shown. */
export function scrubSecrets(text: string): string {
  return text
    .replace(TELEGRAM_TOKEN, '[telegram-token]')
    .replace(API_TOKEN, '[api-token]')
    .replace(BEARER, '$1[redacted]')
    .replace(SIGNED_MEDIA, '$1[signed]');
}

/** Deeply scrubs strings in a value meant for a log line. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: scrubSecrets(value.message) };
    if (value.stack) out.stack = scrubSecrets(value.stack);
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, depth + 1);
  return out;
}
