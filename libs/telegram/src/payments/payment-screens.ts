import type { InlineKeyboardButton } from 'telegraf/types';
import type { Language } from '@botfleet/catalog';
import type { GatewayPaymentEntity } from '@botfleet/dal';
import type { Screen } from '../context/bot-context';
import { TEXTS, TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import { formatMoney } from '../sales/sale-format';
import { formatDateTime } from '../screens/subscription-format';
import { fitLabel, htmlToText } from '../text/html';
import { PaymentCallbacks } from './payment-callbacks';

const label = (html: string) => fitLabel(htmlToText(html));

/** The button text of a gateway: its own text (`pay.method.<gateway>`) when the catalogue has one. */
export function gatewayLabel(lang: Language, method: string): string {
  const own = `pay.method.${method}`;
  if (Object.prototype.hasOwnProperty.call(TEXTS.en, own)) return label(translate(lang, own as TextKey));
  return label(translate(lang, 'pay.method.other', { gateway: method }));
}

/** One button per gateway that can take this order (PaymentGateways.availableFor), in the registry's order. */
export function gatewayButtons(lang: Language, orderId: string, methods: readonly string[]): InlineKeyboardButton[][] {
  return methods.map((m) => [{ text: gatewayLabel(lang, m), callback_data: PaymentCallbacks.gateway(m, orderId) }]);
}

/** The started payment: the amount, the deadline and a URL button to the gateway's page. */
export function paymentLinkScreen(payment: GatewayPaymentEntity, url: string, lang: Language): Screen {
  return {
    text: translate(lang, 'pay.linkReady', {
      amount: formatMoney(lang, payment.amountMinor, payment.currency),
      expires: formatDateTime(lang, payment.expiresAt),
    }),
    keyboard: [[{ text: label(translate(lang, 'pay.open')), url }]],
  };
}
