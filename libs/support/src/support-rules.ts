import type { TicketStatus } from '@botfleet/dal';

/** A ticket's subject, as the customer typed it (trimmed). */
export const TICKET_SUBJECT_MAX = 200;
/** One message (or a photo's caption) of a ticket: a Telegram message's length is 4096. */
export const TICKET_MESSAGE_MAX = 4000;
export const TICKET_STATUSES: readonly TicketStatus[] = ['open', 'answered', 'closed'];

/**
 * The per-customer limits against spam (the `support_tickets` feature's config may change them): messages
 * (a new ticket counts as one) per minute, and new tickets per day.
 */
export interface SupportLimits {
  messagesPerMinute: number;
  ticketsPerDay: number;
}
export const DEFAULT_SUPPORT_LIMITS: SupportLimits = { messagesPerMinute: 5, ticketsPerDay: 5 };

/** What a ticket message carries: text (a photo's caption, maybe empty) and an optional photo. */
export interface TicketContent {
  text: string;
  photoFileId?: string | null;
}

export function isTicketStatus(value: unknown): value is TicketStatus {
  return typeof value === 'string' && (TICKET_STATUSES as readonly string[]).includes(value);
}
