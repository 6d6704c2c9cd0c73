import { TelegramError } from 'telegraf';

/** What a failed Bot API call means for us (RELIABILITY.md 11). */
export type TelegramFailure =
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'unauthorized' }
  | { kind: 'forbidden'; description: string }
  | { kind: 'conflict'; description: string }
  | { kind: 'bad_request'; description: string }
  | { kind: 'server'; status: number }
  | { kind: 'network'; code: string }
  | { kind: 'aborted' }
  | { kind: 'unknown' };

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

export function classifyTelegramError(err: unknown): TelegramFailure {
  if (err instanceof TelegramError) {
    const code = err.code;
    if (code === 429)
      return { kind: 'rate_limited', retryAfterMs: Math.max(1, err.parameters?.retry_after ?? 1) * 1000 };
    if (code === 401) return { kind: 'unauthorized' };
    if (code === 403) return { kind: 'forbidden', description: err.description };
    if (code === 409) return { kind: 'conflict', description: err.description };
    if (code >= 500) return { kind: 'server', status: code };
    if (code === 400 || code === 404) return { kind: 'bad_request', description: err.description };
    return { kind: 'unknown' };
  }
  if (typeof err === 'object' && err !== null) {
    const e = err as { name?: string; type?: string; code?: string; errno?: string };
    if (e.name === 'AbortError' || e.type === 'aborted') return { kind: 'aborted' };
    const code = e.code ?? e.errno;
    if (e.name === 'FetchError' || (code && NETWORK_CODES.has(code))) return { kind: 'network', code: code ?? 'FETCH' };
  }
  return { kind: 'unknown' };
}

/** 403 answers that mean "this user will not receive anything from the bot" (blocked it, or deleted the account). */
export function isUserGoneDescription(description: string): boolean {
  return /blocked by the user|user is deactivated|bot was kicked|bot can't initiate conversation/i.test(description);
}

/** The 400 Telegram gives when an edit changes nothing: harmless, e.g. a button pressed twice. */
export function isNotModified(description: string): boolean {
  return /message is not modified/i.test(description);
}
