import { isLanguage, Language, MENU_ACTIONS, MenuAction } from '@botfleet/catalog';
import { packUuid, unpackUuid } from '../sales/sale-callbacks';

/**
 * Callback data of our buttons. It comes back from the user's client, so it is input like any other:
 * parse it strictly and treat anything else as "not available" (RELIABILITY.md 7).
 */
export const CallbackData = {
  menu: (action: MenuAction | 'home') => `menu:${action}`,
  language: (lang: Language) => `lang:${lang}`,
  /** /subs: send the QR code of this subscription's link again. */
  subscriptionQr: (subscriptionId: string) => `sq:${packUuid(subscriptionId)}`,
};

export type ParsedCallback =
  | { kind: 'menu'; action: MenuAction | 'home' }
  | { kind: 'language'; lang: Language }
  | { kind: 'subscriptionQr'; subscriptionId: string };

export function parseCallbackData(data: string | undefined): ParsedCallback | null {
  if (!data || data.length > 64) return null;
  const [kind, value, ...rest] = data.split(':');
  if (rest.length || value === undefined) return null;
  if (kind === 'menu' && (value === 'home' || (MENU_ACTIONS as readonly string[]).includes(value))) {
    return { kind: 'menu', action: value as MenuAction | 'home' };
  }
  if (kind === 'lang' && isLanguage(value)) return { kind: 'language', lang: value };
  if (kind === 'sq') {
    const subscriptionId = unpackUuid(value);
    return subscriptionId ? { kind: 'subscriptionQr', subscriptionId } : null;
  }
  return null;
}
