import { DomainError, ErrorCode } from '@botfleet/common';

import type { PanelType } from './panel.port';

/**
 * Every botfleet-made panel user starts with this, so operators can tell our accounts from hand-made ones
 * and `subscriptionIdFromPanelUsername` can map them back.
 */
export const PANEL_USERNAME_PREFIX = 'bf_';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
// 128 bits in base 36 never need more than 25 digits; fixed width keeps the mapping reversible.
const BASE36_WIDTH = 25;

/**
 * Username rules of each panel. Marzban's strictest historical form only allows single underscores
 * between alphanumerics; Remnawave allows `[a-zA-Z0-9_-]{3,36}`; 3x-ui only needs a non-empty email
 * unique across the panel.
 */
export const PANEL_USERNAME_RULES: Record<PanelType, RegExp> = {
  marzban: /^(?=\w{3,32}$)[a-z0-9]+(?:_[a-z0-9]+)*$/,
  remnawave: /^[a-zA-Z0-9_-]{3,36}$/,
  xui: /^\S{1,64}$/,
};

/**
 * Deterministic panel username for a subscription: `bf_` + the subscription uuid as 25 base-36 digits
 * (28 characters). Hex would need 35 characters with the prefix, over Marzban's 32; truncating it would
 * make two subscriptions able to share a name, base 36 keeps all 128 bits and the mapping reversible.
 * The same name on every panel type, so a subscription moved between panels keeps its name.
 */
export function panelUsername(subscriptionId: string, panelType: PanelType): string {
  if (!UUID_RE.test(subscriptionId)) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Subscription id must be a UUID to derive a panel username');
  }
  const value = BigInt(`0x${subscriptionId.replace(/-/g, '')}`);
  const username = `${PANEL_USERNAME_PREFIX}${value.toString(36).padStart(BASE36_WIDTH, '0')}`;
  if (!PANEL_USERNAME_RULES[panelType].test(username)) {
    // Unreachable with today's rules; guards a future rule change from silently producing bad names.
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Derived username does not satisfy ${panelType} rules`);
  }
  return username;
}

/** Inverse of `panelUsername`: the subscription uuid, or null for a name botfleet did not make. */
export function subscriptionIdFromPanelUsername(username: string): string | null {
  const match = /^bf_([0-9a-z]{25})$/.exec(username);
  if (!match) return null;
  let value = 0n;
  for (const ch of match[1]) value = value * 36n + BigInt(parseInt(ch, 36));
  if (value >= 1n << 128n) return null;
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
