import { packUuid, unpackUuid } from '../sales/sale-callbacks';

/**
 * Callback data of the auto-renew toggle on /subs (`ar:1:<sub>` turns it on, `ar:0:<sub>` off). Parsed strictly;
 * the subscription is looked up inside the bot and the user who tapped (another's is simply not found).
 */
export interface AutoRenewCallback {
  subscriptionId: string;
  on: boolean;
}

export const AutoRenewCallbacks = {
  set: (subscriptionId: string, on: boolean) => `ar:${on ? 1 : 0}:${packUuid(subscriptionId)}`,
};

export function parseAutoRenewCallback(data: string | undefined): AutoRenewCallback | null {
  if (!data || data.length > 64) return null;
  const m = /^ar:([01]):([A-Za-z0-9_-]{22})$/.exec(data);
  if (!m) return null;
  const subscriptionId = unpackUuid(m[2]);
  return subscriptionId ? { subscriptionId, on: m[1] === '1' } : null;
}
