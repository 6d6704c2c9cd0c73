import type { ResponseParameters } from './bot-api-types';

/**
 * A Bot API failure. The emulator answers it as `{ ok: false, error_code, description, parameters? }`
 * with the HTTP status equal to `error_code`, which is what Telegram does and what clients such as
 * Telegraf rely on.
 */
export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
    this.name = 'BotApiError';
  }

  toJSON(): { ok: false; error_code: number; description: string; parameters?: ResponseParameters } {
    const body: { ok: false; error_code: number; description: string; parameters?: ResponseParameters } = {
      ok: false,
      error_code: this.errorCode,
      description: this.description,
    };
    if (this.parameters) body.parameters = this.parameters;
    return body;
  }
}

export const badRequest = (reason: string): BotApiError => new BotApiError(400, `Bad Request: ${reason}`);
export const forbidden = (reason: string): BotApiError => new BotApiError(403, `Forbidden: ${reason}`);
export const unauthorized = (): BotApiError => new BotApiError(401, 'Unauthorized');
export const notFound = (): BotApiError => new BotApiError(404, 'Not Found');
export const conflict = (reason: string): BotApiError => new BotApiError(409, `Conflict: ${reason}`);
export const tooManyRequests = (retryAfter: number): BotApiError =>
  new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

export const CONFLICT_OTHER_GET_UPDATES =
  'terminated by other getUpdates request; make sure that only one bot instance is running';
export const CONFLICT_WEBHOOK_ACTIVE =
  "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
export const BLOCKED_BY_USER = 'bot was blocked by the user';
