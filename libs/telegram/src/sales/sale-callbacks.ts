import { isUuid } from '@botfleet/common';
/**
 * Callback data of the sale's buttons. It comes back from the user's client, so it is input like
 * any other: parsed strictly, and every id in it is looked up inside the bot it arrived at (an id
 * of another bot is simply not found). UUIDs are packed as 22 base64url characters so two fit in
 * Telegram's 64 bytes.
 */

export function packUuid(uuid: string): string {
  if (!isUuid(uuid)) throw new Error('Not a UUID');
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}

export function unpackUuid(packed: string): string | null {
  if (!/^[A-Za-z0-9_-]{22}$/.test(packed)) return null;
  const hex = Buffer.from(packed, 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type SaleCallback =
  | { kind: 'plan'; planId: string }
  | { kind: 'new'; planId: string }
  | { kind: 'renew'; planId: string; subscriptionId: string }
  | { kind: 'payCard'; orderId: string }
  | { kind: 'payWallet'; orderId: string }
  | { kind: 'approve'; paymentId: string }
  | { kind: 'reject'; paymentId: string }
  | { kind: 'rejectWith'; paymentId: string; preset: number }
  | { kind: 'rejectTyped'; paymentId: string }
  | { kind: 'reviewBack'; paymentId: string };

export const SaleCallbacks = {
  plan: (planId: string) => `s:p:${packUuid(planId)}`,
  newSub: (planId: string) => `s:n:${packUuid(planId)}`,
  renew: (planId: string, subscriptionId: string) => `s:r:${packUuid(planId)}:${packUuid(subscriptionId)}`,
  payCard: (orderId: string) => `s:c:${packUuid(orderId)}`,
  payWallet: (orderId: string) => `s:w:${packUuid(orderId)}`,
  approve: (paymentId: string) => `rv:a:${packUuid(paymentId)}`,
  reject: (paymentId: string) => `rv:j:${packUuid(paymentId)}`,
  rejectWith: (paymentId: string, preset: number) => `rv:p:${packUuid(paymentId)}:${preset}`,
  rejectTyped: (paymentId: string) => `rv:t:${packUuid(paymentId)}`,
  reviewBack: (paymentId: string) => `rv:b:${packUuid(paymentId)}`,
};

export function parseSaleCallback(data: string | undefined): SaleCallback | null {
  if (!data || data.length > 64) return null;
  const parts = data.split(':');
  const [scope, kind, a, b, ...rest] = parts;
  if (rest.length) return null;
  const first = a ? unpackUuid(a) : null;
  if (!first) return null;
  if (scope === 's' && b === undefined) {
    if (kind === 'p') return { kind: 'plan', planId: first };
    if (kind === 'n') return { kind: 'new', planId: first };
    if (kind === 'c') return { kind: 'payCard', orderId: first };
    if (kind === 'w') return { kind: 'payWallet', orderId: first };
  }
  if (scope === 's' && kind === 'r' && b) {
    const second = unpackUuid(b);
    return second ? { kind: 'renew', planId: first, subscriptionId: second } : null;
  }
  if (scope === 'rv' && b === undefined) {
    if (kind === 'a') return { kind: 'approve', paymentId: first };
    if (kind === 'j') return { kind: 'reject', paymentId: first };
    if (kind === 't') return { kind: 'rejectTyped', paymentId: first };
    if (kind === 'b') return { kind: 'reviewBack', paymentId: first };
  }
  if (scope === 'rv' && kind === 'p' && b !== undefined && /^[0-9]$/.test(b)) {
    return { kind: 'rejectWith', paymentId: first, preset: Number(b) };
  }
  return null;
}
