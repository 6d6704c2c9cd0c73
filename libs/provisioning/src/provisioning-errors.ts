import { DomainError, ErrorCode } from '@botfleet/common';

/**
 * Errors a retry cannot fix. Everything else is retried for about an hour:
 * - PANEL_UNAVAILABLE (network, timeout, 5xx, 429): the panel comes back.
 * - PANEL_AUTH_FAILED: the operator can correct the panel credentials within the retry window.
 * - NO_PANEL_AVAILABLE: the operator can add a panel or capacity; accounts also free slots.
 * - anything unexpected (database or Redis restarting, a lock wait timing out).
 * Permanent: the panel refused what we asked (PANEL_REJECTED: it would refuse the same again), and our own
 * records saying there is nothing to do (no such subscription/order, an order that is not paid, a
 * subscription in a state that cannot take this job).
 */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.PANEL_REJECTED,
  ErrorCode.NOT_FOUND,
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.CONFLICT,
]);

export function isPermanentProvisioningError(err: unknown): boolean {
  return DomainError.is(err) && PERMANENT.has(err.code);
}

/** A short reason for the order and the logs: the error code and message, never a request body. */
export function provisioningFailureReason(err: unknown): string {
  if (DomainError.is(err)) return `${err.code}: ${err.message}`.slice(0, 500);
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 500);
  return 'Unknown provisioning failure';
}
