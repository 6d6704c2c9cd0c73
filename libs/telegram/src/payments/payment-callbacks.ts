import { packUuid, unpackUuid } from '../sales/sale-callbacks';

/**
 * Callback data of the payment screen's gateway buttons (`pg:<gateway>:<packed order id>`). It comes back from the
 * user's client, so it is parsed strictly: the gateway is a short lowercase name the registry must know, the order
 * a packed UUID looked up inside the bot and the user (another user's order is not found).
 */
export interface PaymentCallback {
  kind: 'gateway';
  method: string;
  orderId: string;
}

const METHOD = /^[a-z][a-z0-9_]{1,19}$/;

export const PaymentCallbacks = {
  gateway: (method: string, orderId: string) => `pg:${method}:${packUuid(orderId)}`,
};

export function parsePaymentCallback(data: string | undefined): PaymentCallback | null {
  if (!data || data.length > 64) return null;
  const parts = data.split(':');
  if (parts.length !== 3 || parts[0] !== 'pg') return null;
  const [, method, packed] = parts;
  if (!METHOD.test(method)) return null;
  const orderId = unpackUuid(packed);
  return orderId ? { kind: 'gateway', method, orderId } : null;
}
