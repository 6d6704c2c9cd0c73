import { assertUnreachable, DomainError, ErrorCode } from '@botfleet/common';
import type { TextKey } from '../i18n/texts';

/** Where a situation has a more precise text for some codes than the general one (the receipt screen, the review). */
export type ReplyOverrides = Readonly<Partial<Record<ErrorCode, TextKey>>>;

/**
 * How each domain error code is told to a bot user or admin: a key of the one text catalogue, so a
 * domain message (English, written for logs and the API) is never shown raw. The twin of the HTTP
 * mapping (apps/api/src/common/error-status.ts); exhaustive, so a new code must be given a reply here.
 */
export function replyFor(code: ErrorCode, overrides: ReplyOverrides = {}): TextKey {
  const precise = overrides[code];
  if (precise) return precise;
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
      return 'error.invalid';
    case ErrorCode.UNAUTHORIZED:
    case ErrorCode.FORBIDDEN:
    case ErrorCode.NOT_FOUND:
    case ErrorCode.FEATURE_NOT_ALLOWED:
    case ErrorCode.REFUND_NOT_SUPPORTED:
    case ErrorCode.BOT_SUSPENDED:
    case ErrorCode.BOT_DELETED:
    case ErrorCode.SIGN_IN_CODE_INVALID:
    case ErrorCode.CSRF_FAILED:
      return 'common.unavailable';
    case ErrorCode.RATE_LIMITED:
      return 'error.rateLimited';
    case ErrorCode.CONFLICT:
    case ErrorCode.IDEMPOTENCY_KEY_REUSED:
    case ErrorCode.ALREADY_REFUNDED:
      return 'error.conflict';
    case ErrorCode.INVITE_INVALID:
      return 'error.inviteInvalid';
    case ErrorCode.BOT_TOKEN_TAKEN:
      return 'error.botTokenTaken';
    case ErrorCode.TELEGRAM_TOKEN_REJECTED:
    case ErrorCode.TELEGRAM_BOT_MISMATCH:
      return 'error.botTokenRejected';
    case ErrorCode.NO_PAYMENT_CARD:
      return 'card.noCard';
    case ErrorCode.ALREADY_REVIEWED:
      return 'review.already';
    case ErrorCode.ALREADY_PAID:
      return 'buy.orderClosed';
    case ErrorCode.INSUFFICIENT_BALANCE:
      return 'error.insufficientBalance';
    case ErrorCode.CURRENCY_LOCKED:
      return 'error.currencyLocked';
    case ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE:
      return 'buy.shopCannotSell';
    case ErrorCode.PROMO_CODE_REJECTED:
      return 'promo.rejected';
    // The user cannot fix these; the panel work is retried or refunded behind the scenes.
    case ErrorCode.DEPENDENCY_DOWN:
    case ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE:
    case ErrorCode.PANEL_AUTH_FAILED:
    case ErrorCode.PANEL_USER_NOT_FOUND:
    case ErrorCode.PANEL_USER_EXISTS:
    case ErrorCode.PANEL_UNAVAILABLE:
    case ErrorCode.PANEL_REJECTED:
    case ErrorCode.NO_PANEL_AVAILABLE:
      return 'common.error';
    default:
      return assertUnreachable(code);
  }
}

/** The reply for a caught error; anything that is not a domain error is thrown on (the pipeline retries it). */
export function replyForError(err: unknown, overrides?: ReplyOverrides): TextKey {
  if (!DomainError.is(err)) throw err;
  return replyFor(err.code, overrides);
}
