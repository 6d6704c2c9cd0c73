/** The HMAC the webhook secret is derived with (`TokenHasher` from @botfleet/secrets fits). */
export interface WebhookSecretHasher {
  hmac(value: string): string;
}

/** The header Telegram puts the webhook secret in (lower-case, as Node gives headers). */
export const WEBHOOK_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/**
 * A bot's webhook secret, derived rather than stored (RELIABILITY.md 10): HMAC with TOKEN_HASH_KEY over
 * the bot id and its `webhook_secret_salt`. Hex, so it fits Telegram's `secret_token` alphabet. Changing
 * the salt (e.g. on a token replacement) changes the secret; it never appears in a URL.
 */
export function webhookSecretFor(hasher: WebhookSecretHasher, botId: string, salt: string): string {
  return hasher.hmac(`telegram-webhook:${botId}:${salt}`);
}

export function webhookPath(botId: string): string {
  return `/telegram/webhook/${botId}`;
}

/** `${PUBLIC_BASE_URL}/telegram/webhook/{botId}`: the bot id only, no token. */
export function webhookUrl(publicBaseUrl: string, botId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${webhookPath(botId)}`;
}
