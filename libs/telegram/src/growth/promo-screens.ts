import type { InlineKeyboardButton } from 'telegraf/types';
import type { Language } from '@botfleet/catalog';
import type { PromoRejection } from '@botfleet/growth';
import type { TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import { packUuid, unpackUuid } from '../sales/sale-callbacks';
import { htmlToText } from '../text/html';

/**
 * Callback data of promo codes (`pc:`): `pc:o:<order>` is the payment screen's "Promo code" button for that
 * order (a packed UUID; the order is looked up inside the bot and the user, so a forged id is not found).
 * Parsed strictly: anything else is null.
 */
export type PromoCallback = { kind: 'forOrder'; orderId: string };

export const PromoCallbacks = {
  forOrder: (orderId: string) => `pc:o:${packUuid(orderId)}`,
};

export function parsePromoCallback(data: string | undefined): PromoCallback | null {
  if (!data || data.length > 64) return null;
  const parts = data.split(':');
  if (parts.length !== 3 || parts[0] !== 'pc' || parts[1] !== 'o') return null;
  const orderId = unpackUuid(parts[2]);
  return orderId ? { kind: 'forOrder', orderId } : null;
}

/** The payment screen's "Promo code" button. */
export function promoButton(lang: Language, orderId: string): InlineKeyboardButton {
  return { text: translate(lang, 'promo.button'), callback_data: PromoCallbacks.forOrder(orderId) };
}

export type PromoPrompt = 'promo.prompt' | 'promo.promptOrder';

/** Which of our promo prompts a replied-to message is (its text as the client shows it), or null. */
export function promoPromptOf(text: string, languages: readonly Language[]): PromoPrompt | null {
  const first = text.trim().split('\n')[0]?.trim();
  if (!first) return null;
  const prompts: PromoPrompt[] = ['promo.prompt', 'promo.promptOrder'];
  return prompts.find((k) => languages.some((l) => htmlToText(translate(l, k)).trim() === first)) ?? null;
}

/** The text for each refusal reason of a code. */
const REJECTION_TEXTS: Record<PromoRejection, TextKey> = {
  unknown: 'promo.reason.unknown',
  not_started: 'promo.reason.not_started',
  ended: 'promo.reason.ended',
  used_up: 'promo.reason.used_up',
  already_used: 'promo.reason.already_used',
  wrong_plan: 'promo.reason.wrong_plan',
  first_purchase_only: 'promo.reason.first_purchase_only',
  already_waiting: 'promo.reason.already_waiting',
  order_locked: 'promo.reason.order_locked',
};

export function promoRejectionText(reason: PromoRejection): TextKey {
  return REJECTION_TEXTS[reason];
}
