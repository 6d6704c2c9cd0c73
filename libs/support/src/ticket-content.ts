import { DomainError, ErrorCode } from '@botfleet/common';
import { TICKET_MESSAGE_MAX, TICKET_SUBJECT_MAX, TicketContent } from './support-rules';

/** A message as stored: trimmed text (or caption) within the limit, and a photo's file id; refuses an empty one. */
export function checkedContent(c: TicketContent): { text: string; photoFileId: string | null } {
  // PostgreSQL cannot store NUL: it is dropped, as from a receipt.
  const text = (c.text ?? '').replaceAll('\u0000', '').trim();
  const photoFileId = c.photoFileId?.trim() || null;
  if (!text && !photoFileId) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The message is empty');
  if (text.length > TICKET_MESSAGE_MAX) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `The message is longer than ${TICKET_MESSAGE_MAX} characters`);
  }
  if (photoFileId && photoFileId.length > 255) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Invalid photo');
  return { text, photoFileId };
}

export function checkedSubject(subject: string): string {
  const s = (subject ?? '').replaceAll('\u0000', '').replace(/\s+/g, ' ').trim();
  if (!s) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The subject is empty');
  if (s.length > TICKET_SUBJECT_MAX) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `The subject is longer than ${TICKET_SUBJECT_MAX} characters`);
  }
  return s;
}

/** The longest client Idempotency-Key kept on a ticket or an answer. */
const IDEMPOTENCY_KEY_MAX = 100;

/** A client's Idempotency-Key as kept (null when none was sent); refuses an empty or too long one, naming the field. */
export function checkedIdempotencyKey(key: string | null | undefined): string | null {
  if (key === undefined || key === null) return null;
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Invalid request: idempotencyKey', [
      { field: 'idempotencyKey', errors: [`idempotencyKey must be 1-${IDEMPOTENCY_KEY_MAX} characters`] },
    ]);
  }
  return key;
}

/** How `closed_by` / `author` name who did it. */
export const actorLabel = (a: { type: string; id: string }): string => `${a.type}:${a.id}`;
export const customerLabel = (userId: string): string => `user:${userId}`;
