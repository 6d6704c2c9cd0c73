import type { InlineKeyboardButton } from 'telegraf/types';
import type { Language } from '@botfleet/catalog';
import type { CardPaymentEntity, OrderEntity, PaymentCardEntity, PlanEntity, SubscriptionEntity } from '@botfleet/dal';
import type { Screen } from '../context/bot-context';
import { CallbackData } from '../screens/callback-data';
import { formatDateTime, formatTraffic } from '../screens/subscription-format';
import type { TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import { fitLabel, htmlToText, plain } from '../text/html';
import { gatewayButtons } from '../payments/payment-screens';
import { promoButton } from '../growth/promo-screens';
import { SaleCallbacks } from './sale-callbacks';
import { formatMoney, groupCardNumber, localizedName } from './sale-format';

const back = (lang: Language): InlineKeyboardButton[] => [
  { text: translate(lang, 'menu.back'), callback_data: CallbackData.menu('home') },
];

/** A label from one of our HTML texts: shown as text (entities decoded), fitted to Telegram's limit. */
const label = (html: string) => fitLabel(htmlToText(html));

export function plansScreen(plans: PlanEntity[], lang: Language, currency: string): Screen {
  if (!plans.length) return { text: translate(lang, 'buy.none'), keyboard: [back(lang)] };
  const rows = plans.slice(0, 30).map((p) => [
    {
      // The tenant's name cleaned and isolated by plain(); the label shows it as text.
      text: label(
        translate(lang, 'buy.planButton', {
          name: { html: plain(localizedName(p.name, lang), 40) },
          price: formatMoney(lang, p.priceMinor, currency),
          days: p.periodDays,
        }),
      ),
      callback_data: SaleCallbacks.plan(p.id),
    },
  ]);
  return { text: translate(lang, 'buy.title'), keyboard: [...rows, back(lang)] };
}

export function planText(plan: PlanEntity, lang: Language, currency: string): string {
  return translate(lang, 'buy.plan', {
    name: { html: plain(localizedName(plan.name, lang), 100) },
    price: formatMoney(lang, plan.priceMinor, currency),
    days: plan.periodDays,
    traffic: formatTraffic(lang, plan.trafficLimitGb * 1024 ** 3),
    devices: plan.deviceLimit > 0 ? plan.deviceLimit : '∞',
  });
}

/** A user with subscriptions chooses: renew one of them with this plan, or buy a new one. */
export function renewOrNewScreen(
  plan: PlanEntity,
  subs: SubscriptionEntity[],
  lang: Language,
  currency: string,
): Screen {
  const rows: InlineKeyboardButton[][] = subs.slice(0, 5).map((s, i) => [
    {
      text: label(
        translate(lang, 'buy.renewButton', {
          label: `#${i + 1}${s.expiresAt ? ` · ${formatDateTime(lang, s.expiresAt)}` : ''}`,
        }),
      ),
      callback_data: SaleCallbacks.renew(plan.id, s.id),
    },
  ]);
  rows.push([{ text: translate(lang, 'buy.newButton'), callback_data: SaleCallbacks.newSub(plan.id) }]);
  rows.push(back(lang));
  return { text: `${planText(plan, lang, currency)}\n\n${translate(lang, 'buy.renewOrNew')}`, keyboard: rows };
}

export interface MethodsAvailable {
  card: boolean;
  /** The user's wallet balance when the wallet can pay this order, else null. */
  walletBalanceMinor: number | null;
  /** Online gateways that are on and take this order (payments/payment-screens.ts makes their buttons). */
  gateways?: readonly string[];
  /** "Top up the difference" when the wallet is on but short (see WalletHandler.differenceButton). */
  topUpDifference?: InlineKeyboardButton | null;
  /** The "Promo code" button (feature `promo_codes`, the order has no code yet; libs/telegram/src/growth/promo*). */
  promo?: boolean;
}

export function methodsScreen(order: OrderEntity, plan: PlanEntity, lang: Language, methods: MethodsAvailable): Screen {
  const rows: InlineKeyboardButton[][] = [];
  if (methods.card)
    rows.push([{ text: translate(lang, 'buy.method.card'), callback_data: SaleCallbacks.payCard(order.id) }]);
  rows.push(...gatewayButtons(lang, order.id, methods.gateways ?? []));
  if (methods.walletBalanceMinor !== null) {
    rows.push([
      {
        text: label(
          translate(lang, 'buy.method.wallet', {
            balance: formatMoney(lang, methods.walletBalanceMinor, order.currency),
          }),
        ),
        callback_data: SaleCallbacks.payWallet(order.id),
      },
    ]);
  }
  if (methods.topUpDifference) rows.push([methods.topUpDifference]);
  if (methods.promo) rows.push([promoButton(lang, order.id)]);
  rows.push(back(lang));
  const head = translate(lang, 'buy.methods', {
    name: { html: plain(localizedName(plan.name, lang), 100) },
    price: formatMoney(lang, order.amountMinor, order.currency),
  });
  const payRows = rows.length - (methods.promo ? 1 : 0);
  const text = payRows > 1 ? head : `${head}\n\n${translate(lang, 'buy.noMethods')}`;
  return { text: `${planText(plan, lang, order.currency)}\n\n${text}`, keyboard: rows };
}

/** The card, the exact amount, the tracking number and the deadline; the number is tap-to-copy. */
export function cardScreen(
  payment: CardPaymentEntity,
  card: PaymentCardEntity,
  currency: string,
  lang: Language,
  requiresPhoto: boolean,
): Screen {
  let text =
    translate(lang, 'card.title') +
    '\n\n' +
    translate(lang, 'card.body', {
      amount: formatMoney(lang, payment.amountMinor, currency),
      card: groupCardNumber(card.cardNumber),
      holder: { html: plain(card.cardHolderName, 100) },
      bank: { html: card.bankName ? translate(lang, 'card.bank', { bank: { html: plain(card.bankName, 100) } }) : '' },
      tracking: payment.trackingNumber,
      expires: formatDateTime(lang, payment.expiresAt),
    });
  text += '\n\n' + translate(lang, requiresPhoto ? 'card.sendPhoto' : 'card.bodyText');
  return { text, keyboard: [back(lang)] };
}

export function reviewKeyboard(paymentId: string, lang: Language): InlineKeyboardButton[][] {
  return [
    [
      { text: translate(lang, 'review.approve'), callback_data: SaleCallbacks.approve(paymentId) },
      { text: translate(lang, 'review.reject'), callback_data: SaleCallbacks.reject(paymentId) },
    ],
  ];
}

/** The preset rejection reasons, in button order: a button's callback carries its index here. */
export const REJECTION_PRESETS: readonly TextKey[] = [
  'reason.amount',
  'reason.unreadable',
  'reason.notReceived',
  'reason.duplicate',
];

export function rejectReasonsKeyboard(paymentId: string, lang: Language): InlineKeyboardButton[][] {
  return [
    ...REJECTION_PRESETS.map((key, i) => [
      { text: label(translate(lang, key)), callback_data: SaleCallbacks.rejectWith(paymentId, i) },
    ]),
    [{ text: translate(lang, 'review.reasonTyped'), callback_data: SaleCallbacks.rejectTyped(paymentId) }],
    [{ text: translate(lang, 'review.back'), callback_data: SaleCallbacks.reviewBack(paymentId) }],
  ];
}
