/**
 * Every expected failure in the domain is a DomainError with a code from this enum.
 * Each outlet (HTTP, Telegram, queue) maps codes exhaustively, so adding a code forces
 * every outlet to decide how to show it.
 */
export enum ErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  UNAUTHORIZED = 'UNAUTHORIZED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  RATE_LIMITED = 'RATE_LIMITED',
  DEPENDENCY_DOWN = 'DEPENDENCY_DOWN',
  CONFLICT = 'CONFLICT',
  // the web console's sign-in
  /** A console sign-in code that is unknown, used already or expired. */
  SIGN_IN_CODE_INVALID = 'SIGN_IN_CODE_INVALID',
  /** A cookie-authenticated write without the session's X-CSRF-Token. */
  CSRF_FAILED = 'CSRF_FAILED',
  // onboarding and bots
  INVITE_INVALID = 'INVITE_INVALID',
  BOT_TOKEN_TAKEN = 'BOT_TOKEN_TAKEN',
  TELEGRAM_TOKEN_REJECTED = 'TELEGRAM_TOKEN_REJECTED',
  TELEGRAM_BOT_MISMATCH = 'TELEGRAM_BOT_MISMATCH',
  BOT_SUSPENDED = 'BOT_SUSPENDED',
  BOT_DELETED = 'BOT_DELETED',
  FEATURE_NOT_ALLOWED = 'FEATURE_NOT_ALLOWED',
  // money
  NO_PAYMENT_CARD = 'NO_PAYMENT_CARD',
  ALREADY_REVIEWED = 'ALREADY_REVIEWED',
  ALREADY_PAID = 'ALREADY_PAID',
  /** The order was refunded already (by an earlier call, another admin, the gateway): nothing changed. */
  ALREADY_REFUNDED = 'ALREADY_REFUNDED',
  INSUFFICIENT_BALANCE = 'INSUFFICIENT_BALANCE',
  INSUFFICIENT_WHOLESALE_BALANCE = 'INSUFFICIENT_WHOLESALE_BALANCE',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  /** The bot's currency cannot change: it has orders or balances whose amounts are in it. */
  CURRENCY_LOCKED = 'CURRENCY_LOCKED',
  /** A payment gateway could not be reached or answered nonsense; nothing changed, try again later. */
  PAYMENT_GATEWAY_UNAVAILABLE = 'PAYMENT_GATEWAY_UNAVAILABLE',
  /** This gateway has no refund API (Zarinpal v4): the money must be returned outside the product. */
  REFUND_NOT_SUPPORTED = 'REFUND_NOT_SUPPORTED',
  /** A promo code that cannot be used here and now; `details.reason` says why (libs/growth/src/promo). */
  PROMO_CODE_REJECTED = 'PROMO_CODE_REJECTED',
  // panels
  PANEL_AUTH_FAILED = 'PANEL_AUTH_FAILED',
  PANEL_USER_NOT_FOUND = 'PANEL_USER_NOT_FOUND',
  PANEL_USER_EXISTS = 'PANEL_USER_EXISTS',
  PANEL_UNAVAILABLE = 'PANEL_UNAVAILABLE',
  PANEL_REJECTED = 'PANEL_REJECTED',
  NO_PANEL_AVAILABLE = 'NO_PANEL_AVAILABLE',
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static is(err: unknown, code?: ErrorCode): err is DomainError {
    return err instanceof DomainError && (code === undefined || err.code === code);
  }
}

/** Compile-time exhaustiveness for `switch` over enums. */
export function assertUnreachable(value: never): never {
  throw new Error(`Unreachable value: ${String(value)}`);
}
