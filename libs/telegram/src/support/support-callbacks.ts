import { packUuid, unpackUuid } from '../sales/sale-callbacks';

/**
 * Callback data of the support buttons (`tk:`). It comes back from the client like any input: parsed
 * strictly; every ticket id in it is then looked up inside the bot it arrived at and, for a customer, among
 * their own tickets (another bot's or customer's ticket is simply not found).
 */
export type SupportCallback =
  | { kind: 'open' }
  | { kind: 'list' }
  | { kind: 'cancel' }
  | { kind: 'view'; ticketId: string }
  | { kind: 'reply'; ticketId: string }
  | { kind: 'close'; ticketId: string }
  /** Add the customer's message `messageId` (offered under it) to the ticket. */
  | { kind: 'add'; ticketId: string; messageId: number }
  | { kind: 'adminClose'; ticketId: string };

const WITH_TICKET = { v: 'view', r: 'reply', c: 'close', k: 'adminClose' } as const;
type WithTicketCode = keyof typeof WITH_TICKET;

export const SupportCallbacks = {
  open: () => 'tk:o',
  list: () => 'tk:l',
  cancel: () => 'tk:x',
  view: (ticketId: string) => `tk:v:${packUuid(ticketId)}`,
  reply: (ticketId: string) => `tk:r:${packUuid(ticketId)}`,
  close: (ticketId: string) => `tk:c:${packUuid(ticketId)}`,
  add: (ticketId: string, messageId: number) => `tk:a:${packUuid(ticketId)}:${messageId}`,
  adminClose: (ticketId: string) => `tk:k:${packUuid(ticketId)}`,
};

export function parseSupportCallback(data: string | undefined): SupportCallback | null {
  if (!data || data.length > 64) return null;
  const [scope, code, packed, extra, ...rest] = data.split(':');
  if (scope !== 'tk' || rest.length) return null;
  if (code === 'a') {
    const ticketId = packed ? unpackUuid(packed) : null;
    if (!ticketId || !extra || !/^[1-9]\d{0,9}$/.test(extra)) return null;
    return { kind: 'add', ticketId, messageId: Number(extra) };
  }
  if (extra !== undefined) return null;
  if (packed === undefined) {
    if (code === 'o') return { kind: 'open' };
    if (code === 'l') return { kind: 'list' };
    if (code === 'x') return { kind: 'cancel' };
    return null;
  }
  if (!Object.prototype.hasOwnProperty.call(WITH_TICKET, code)) return null;
  const ticketId = unpackUuid(packed);
  return ticketId ? { kind: WITH_TICKET[code as WithTicketCode], ticketId } : null;
}
