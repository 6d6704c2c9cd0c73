import { DomainError, ErrorCode } from '@botfleet/common';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,100}$/;

/** The `Idempotency-Key` header of a money-moving POST: required, 1–100 of A-Z a-z 0-9 _ . : - (else 400). */
export function requireIdempotencyKey(key: string | undefined): string {
  if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Invalid request: Idempotency-Key', [
      { field: 'Idempotency-Key', errors: ['Idempotency-Key header is required: 1-100 of A-Z a-z 0-9 _ . : -'] },
    ]);
  }
  return key;
}
