import { DomainError, ErrorCode } from '@botfleet/common';

/** What `getMe` tells us about a bot. */
export interface TelegramBotIdentity {
  id: number;
  username: string;
  firstName: string;
}

export interface TelegramBotApiOptions {
  /** Deadline for one call, connect to last byte. Default 10 s. */
  timeoutMs?: number;
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** A Telegram bot token: `<bot id>:<secret>`. Checked before any call so that junk never reaches Telegram. */
export const TELEGRAM_TOKEN_PATTERN = /^\d{5,12}:[A-Za-z0-9_-]{30,}$/;

const DEFAULT_TIMEOUT_MS = 10_000;

/** A 400 from Telegram: the call was understood and refused; `description` says why. */
class TelegramCallRefused extends DomainError {
  constructor(readonly description: string) {
    super(ErrorCode.CONFLICT, `Telegram refused the call: ${description.slice(0, 200)}`);
  }
}

/**
 * The few Bot API calls the platform makes outside a running bot (onboarding, token replacement).
 * The token is part of the URL path, so nothing here ever puts a URL, a request or a fetch error's
 * text into an error or a log: failures are described by status only (RELIABILITY.md 10).
 */
export class TelegramBotApi {
  private readonly root: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(apiRoot: string, options: TelegramBotApiOptions = {}) {
    this.root = apiRoot.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /**
   * Asks Telegram who owns `token`. 401/404 (revoked or unknown token) → TELEGRAM_TOKEN_REJECTED;
   * network failure, timeout, 429 or 5xx → DEPENDENCY_DOWN.
   */
  async getMe(token: string): Promise<TelegramBotIdentity> {
    if (!TELEGRAM_TOKEN_PATTERN.test(token)) {
      throw new DomainError(ErrorCode.TELEGRAM_TOKEN_REJECTED, 'This is not a Telegram bot token');
    }
    const body = await this.call(token, 'getMe');
    const r = body as { id?: unknown; is_bot?: unknown; username?: unknown; first_name?: unknown };
    if (typeof r?.id !== 'number' || !Number.isSafeInteger(r.id) || typeof r.username !== 'string' || !r.username) {
      throw new DomainError(ErrorCode.DEPENDENCY_DOWN, 'Telegram answered getMe with an unexpected body');
    }
    if (r.is_bot === false) {
      throw new DomainError(ErrorCode.TELEGRAM_TOKEN_REJECTED, 'Telegram says this token does not belong to a bot');
    }
    return { id: r.id, username: r.username, firstName: typeof r.first_name === 'string' ? r.first_name : '' };
  }

  /**
   * Gives a Telegram Stars payment back to the user (Bot API `refundStarPayment`). A charge Telegram says was
   * refunded already (`CHARGE_ALREADY_REFUNDED`: by an earlier call, by support, a dispute) is a success too:
   * `already_refunded`. An unknown charge or a user who did not pay it → CONFLICT, the token refused →
   * TELEGRAM_TOKEN_REJECTED, Telegram unreachable or 5xx → DEPENDENCY_DOWN.
   */
  async refundStarPayment(
    token: string,
    userId: number,
    telegramPaymentChargeId: string,
  ): Promise<'refunded' | 'already_refunded'> {
    try {
      await this.call(token, 'refundStarPayment', {
        user_id: userId,
        telegram_payment_charge_id: telegramPaymentChargeId,
      });
      return 'refunded';
    } catch (e) {
      if (e instanceof TelegramCallRefused && /CHARGE_ALREADY_REFUNDED/.test(e.description)) return 'already_refunded';
      if (e instanceof TelegramCallRefused) {
        throw new DomainError(ErrorCode.CONFLICT, `Telegram refused the refund: ${e.description.slice(0, 200)}`);
      }
      throw e;
    }
  }

  private async call(token: string, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.root}/bot${token}/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(params),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const timedOut = (e as { name?: string })?.name === 'TimeoutError';
      // Deliberately not the error's message: undici may include the URL, which holds the token.
      throw new DomainError(
        ErrorCode.DEPENDENCY_DOWN,
        timedOut ? `Telegram did not answer ${method} in time` : `Telegram could not be reached for ${method}`,
      );
    }
    let parsed: { ok?: boolean; result?: unknown; description?: unknown } | undefined;
    try {
      parsed = (await res.json()) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    if (res.status === 401 || res.status === 404) {
      throw new DomainError(
        ErrorCode.TELEGRAM_TOKEN_REJECTED,
        'Telegram rejected this bot token (revoked or unknown); get a fresh one from @BotFather',
      );
    }
    if (res.status === 400 && parsed?.ok === false) {
      // Telegram's descriptions never hold the token; they name what was wrong (CHARGE_NOT_FOUND …).
      throw new TelegramCallRefused(typeof parsed.description === 'string' ? parsed.description : 'Bad Request');
    }
    if (!res.ok || !parsed?.ok) {
      throw new DomainError(ErrorCode.DEPENDENCY_DOWN, `Telegram answered ${method} with HTTP ${res.status}`);
    }
    return parsed.result;
  }
}
