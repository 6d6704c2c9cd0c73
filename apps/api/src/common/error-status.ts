import { HttpStatus } from '@nestjs/common';
import { assertUnreachable, ErrorCode } from '@botfleet/common';

/** How each domain error code is shown over HTTP (API.md "Errors"). Exhaustive by construction. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
      return HttpStatus.BAD_REQUEST;
    case ErrorCode.UNAUTHORIZED:
    case ErrorCode.SIGN_IN_CODE_INVALID:
      return HttpStatus.UNAUTHORIZED;
    case ErrorCode.FORBIDDEN:
    case ErrorCode.INVITE_INVALID:
    case ErrorCode.FEATURE_NOT_ALLOWED:
    case ErrorCode.BOT_SUSPENDED:
    case ErrorCode.CSRF_FAILED:
      return HttpStatus.FORBIDDEN;
    case ErrorCode.NOT_FOUND:
    case ErrorCode.BOT_DELETED:
      return HttpStatus.NOT_FOUND;
    case ErrorCode.CONFLICT:
    case ErrorCode.BOT_TOKEN_TAKEN:
    case ErrorCode.ALREADY_REVIEWED:
    case ErrorCode.ALREADY_PAID:
    case ErrorCode.ALREADY_REFUNDED:
    case ErrorCode.IDEMPOTENCY_KEY_REUSED:
    case ErrorCode.CURRENCY_LOCKED:
    case ErrorCode.PANEL_USER_EXISTS:
    case ErrorCode.INSUFFICIENT_BALANCE:
    case ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE:
    case ErrorCode.NO_PAYMENT_CARD:
    case ErrorCode.NO_PANEL_AVAILABLE:
      return HttpStatus.CONFLICT;
    case ErrorCode.TELEGRAM_TOKEN_REJECTED:
    case ErrorCode.TELEGRAM_BOT_MISMATCH:
    case ErrorCode.PANEL_AUTH_FAILED:
    case ErrorCode.PANEL_REJECTED:
    case ErrorCode.PANEL_USER_NOT_FOUND:
    case ErrorCode.REFUND_NOT_SUPPORTED:
    case ErrorCode.PROMO_CODE_REJECTED:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case ErrorCode.RATE_LIMITED:
      return HttpStatus.TOO_MANY_REQUESTS;
    case ErrorCode.DEPENDENCY_DOWN:
    case ErrorCode.PANEL_UNAVAILABLE:
    case ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE:
      return HttpStatus.SERVICE_UNAVAILABLE;
    default:
      return assertUnreachable(code);
  }
}
