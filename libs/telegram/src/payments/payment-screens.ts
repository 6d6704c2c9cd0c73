import type { InlineKeyboardButton } from 'telegraf/types';
import type { Language } from '@botfleet/catalog';
import type { GatewayPaymentEntity } from '@botfleet/dal';
import type { Screen } from '../context/bot-context';
import { TEXTS, TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import { formatMoney } from '../sales/sale-format';
import { formatDateTime } from '../screens/subscription-format';
import { CallbackData } from '../screens/callback-data';
import { fitLabel, htmlToText } from '../text/html';
import { WalletCallbacks } from '../wallet/wallet-callbacks';
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

/**
 * A payment whose link never came (it expired or was closed while the gateway was being asked): says so, with the
 * way back — the order's gateway button again (the order may have closed too: that tap then says so) and the plans;
 * a top-up goes back to the wallet's amounts.
 */
export function paymentClosedScreen(
  payment: GatewayPaymentEntity,
  lang: Language,
  text: TextKey = 'pay.closed',
): Screen {
  const keyboard: InlineKeyboardButton[][] = payment.orderId
    ? [
        [
          {
            text: label(translate(lang, 'pay.retry')),
            callback_data: PaymentCallbacks.gateway(payment.gateway, payment.orderId),
          },
        ],
        [{ text: label(translate(lang, 'menu.buy')), callback_data: CallbackData.menu('buy') }],
      ]
    : [[{ text: label(translate(lang, 'wallet.topUp')), callback_data: WalletCallbacks.amounts() }]];
  return { text: translate(lang, text), keyboard };
}

/**
 * A payment ended by a newer one for its order whose link is shown elsewhere (another message, or opened through
 * the API): its screen says so, with the same way back — "Try again" offers the newer link here while it is open.
 */
export function paymentReplacedScreen(payment: GatewayPaymentEntity, lang: Language): Screen {
  return paymentClosedScreen(payment, lang, 'pay.replaced');
}
