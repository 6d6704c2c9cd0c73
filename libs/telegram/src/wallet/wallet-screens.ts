import type { InlineKeyboardButton } from 'telegraf/types';
import type { Language } from '@botfleet/catalog';
import type { Page } from '@botfleet/common';
import type { CardPaymentEntity, OrderEntity, PlanEntity, TransactionEntity } from '@botfleet/dal';
import { minorDigits, type TopUpOffer } from '@botfleet/payments';
import type { Screen } from '../context/bot-context';
import type { TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import { CallbackData } from '../screens/callback-data';
import { formatDateTime } from '../screens/subscription-format';
import { buttonLabel, fitLabel, htmlToText, plain } from '../text/html';
import { formatMoney, localizedName } from '../sales/sale-format';
import { WalletCallbacks } from './wallet-callbacks';

/** Movements shown per page of the wallet screen. */
export const MOVEMENTS_PER_PAGE = 5;

const MOVEMENT_TYPE: Record<TransactionEntity['type'], TextKey> = {
  deposit: 'wallet.type.deposit',
  purchase: 'wallet.type.purchase',
  refund: 'wallet.type.refund',
  referral: 'wallet.type.referral',
  promo: 'wallet.type.promo',
  adjustment: 'wallet.type.adjustment',
};

const label = (html: string) => fitLabel(htmlToText(html));
const homeRow = (lang: Language): InlineKeyboardButton[] => [
  { text: translate(lang, 'menu.back'), callback_data: CallbackData.menu('home') },
];

/** A signed amount: credits with a plus, debits with the minus formatMoney gives them. */
function signed(lang: Language, amountMinor: number, currency: string): string {
  const money = formatMoney(lang, amountMinor, currency);
  return amountMinor > 0 ? `+${money}` : money;
}

/** /wallet: the balance, a page of the ledger's movements (newest first), Top up and paging. */
export function walletScreen(
  lang: Language,
  balanceMinor: number,
  currency: string,
  movements: Page<TransactionEntity>,
  canTopUp: boolean,
): Screen {
  const pages = Math.max(1, Math.ceil(movements.total / movements.pageSize));
  let text = translate(lang, 'wallet.title', { balance: formatMoney(lang, balanceMinor, currency) });
  if (!movements.total) text += '\n\n' + translate(lang, 'wallet.noMovements');
  else {
    text += '\n\n' + translate(lang, 'wallet.movements', { page: movements.page, pages });
    for (const m of movements.items) {
      text +=
        '\n' +
        translate(lang, 'wallet.movement', {
          date: formatDateTime(lang, m.createdAt),
          type: translate(lang, MOVEMENT_TYPE[m.type] ?? 'wallet.type.adjustment'),
          amount: signed(lang, m.amountMinor, currency),
        });
    }
  }
  const rows: InlineKeyboardButton[][] = [];
  if (canTopUp) rows.push([{ text: translate(lang, 'wallet.topUp'), callback_data: WalletCallbacks.amounts() }]);
  const paging: InlineKeyboardButton[] = [];
  if (movements.page < pages) {
    paging.push({ text: translate(lang, 'wallet.older'), callback_data: WalletCallbacks.home(movements.page + 1) });
  }
  if (movements.page > 1) {
    paging.push({ text: translate(lang, 'wallet.newer'), callback_data: WalletCallbacks.home(movements.page - 1) });
  }
  if (paging.length) rows.push(paging);
  rows.push(homeRow(lang));
  return { text, keyboard: rows };
}

/** The amounts to top up by: the tenant's presets within the limits, and "Other amount". */
export function topUpAmountsScreen(lang: Language, offer: TopUpOffer): Screen {
  const money = (n: number) => formatMoney(lang, n, offer.currency);
  const limits = { min: money(offer.minMinor), max: money(offer.maxMinor) };
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < offer.presets.length; i += 2) {
    rows.push(
      offer.presets.slice(i, i + 2).map((p) => ({ text: label(money(p)), callback_data: WalletCallbacks.methods(p) })),
    );
  }
  rows.push([{ text: translate(lang, 'wallet.otherAmount'), callback_data: WalletCallbacks.typeAmount() }]);
  rows.push([{ text: translate(lang, 'menu.back'), callback_data: WalletCallbacks.home(1) }]);
  const title = offer.presets.length ? 'wallet.chooseAmount' : 'wallet.noPresets';
  return { text: translate(lang, title, limits), keyboard: rows };
}

/** The prompt for a typed amount (a forced reply; its first line is how the answer is recognised). */
export function amountPromptText(lang: Language, offer: TopUpOffer): string {
  const money = (n: number) => formatMoney(lang, n, offer.currency);
  return (
    translate(lang, 'wallet.amountPrompt') +
    '\n' +
    translate(lang, 'wallet.amountLimits', {
      min: money(offer.minMinor),
      max: money(offer.maxMinor),
      example: String(exampleAmount(offer)),
    })
  );
}

/** An amount to show as an example in major units: the first preset, else the minimum. */
function exampleAmount(offer: TopUpOffer): string {
  const minor = offer.presets[0] ?? offer.minMinor;
  const digits = minorDigits(offer.currency);
  return digits ? (minor / 10 ** digits).toFixed(digits) : String(minor);
}

/** Whether a message of the bot is the typed-amount prompt, in any language (its first line). */
export function isAmountPrompt(text: string, languages: readonly Language[]): boolean {
  const first = text.trim().split('\n')[0]?.trim();
  return !!first && languages.some((l) => htmlToText(translate(l, 'wallet.amountPrompt')).trim() === first);
}

/** An online gateway that can take this top-up, as its button shows it. */
export interface TopUpGatewayOption {
  method: string;
  label: string;
}

export interface TopUpMethods {
  card: boolean;
  gateways: TopUpGatewayOption[];
}

/** For a top-up started from an order the wallet could not cover: the order's price and the wallet's balance. */
export interface TopUpForOrder {
  order: OrderEntity;
  balanceMinor: number;
}

/** How to pay a top-up of `amountMinor`: exactly the methods that are on and can take it. */
export function topUpMethodsScreen(
  lang: Language,
  amountMinor: number,
  currency: string,
  methods: TopUpMethods,
  forOrder: TopUpForOrder | null,
): Screen {
  const orderId = forOrder?.order.id ?? null;
  const rows: InlineKeyboardButton[][] = [];
  if (methods.card) {
    rows.push([
      { text: translate(lang, 'buy.method.card'), callback_data: WalletCallbacks.card(amountMinor, orderId) },
    ]);
  }
  for (const g of methods.gateways) {
    rows.push([{ text: buttonLabel(g.label), callback_data: WalletCallbacks.gateway(g.method, amountMinor, orderId) }]);
  }
  const amount = formatMoney(lang, amountMinor, currency);
  const head = forOrder
    ? translate(lang, 'wallet.methodsForOrder', {
        amount,
        balance: formatMoney(lang, forOrder.balanceMinor, currency),
        price: formatMoney(lang, forOrder.order.amountMinor, forOrder.order.currency),
      })
    : translate(lang, 'wallet.methods', { amount });
  const back = forOrder
    ? homeRow(lang)
    : [{ text: translate(lang, 'menu.back'), callback_data: WalletCallbacks.amounts() }];
  rows.push(back);
  return { text: rows.length > 1 ? head : `${head}\n\n${translate(lang, 'wallet.noMethods')}`, keyboard: rows };
}

/** The "Top up the difference" button of an order the wallet cannot cover. */
export function topUpDifferenceButton(lang: Language, order: OrderEntity, amountMinor: number): InlineKeyboardButton {
  return {
    text: label(translate(lang, 'wallet.topUpDifference', { amount: formatMoney(lang, amountMinor, order.currency) })),
    callback_data: WalletCallbacks.difference(order.id),
  };
}

/** What an order that can now be paid from the wallet looks like, for the question after a top-up. */
export interface OrderToPay {
  order: OrderEntity;
  plan: PlanEntity | null;
}

/**
 * The user's news that a card top-up was credited, with the new balance; when the top-up was for an order that
 * can still be paid, the question whether to pay it from the wallet now (never paid silently).
 */
export function topUpCreditedScreen(
  lang: Language,
  payment: Pick<CardPaymentEntity, 'amountMinor' | 'trackingNumber'>,
  balanceMinor: number,
  currency: string,
  toPay: OrderToPay | null,
): Screen {
  const text = translate(lang, 'wallet.credited', {
    amount: formatMoney(lang, payment.amountMinor, currency),
    tracking: payment.trackingNumber,
    balance: formatMoney(lang, balanceMinor, currency),
  });
  if (!toPay) return { text };
  const ask = payOrderQuestion(lang, toPay);
  return { text: `${text}\n\n${ask.text}`, keyboard: ask.keyboard };
}

/** The question after a top-up for an order: pay it from the wallet now (a button), or not now. */
export function payOrderQuestion(lang: Language, toPay: OrderToPay): Screen {
  return {
    text: translate(lang, 'wallet.payOrderAsk', {
      name: { html: plain(toPay.plan ? localizedName(toPay.plan.name, lang) : '—', 100) },
      price: formatMoney(lang, toPay.order.amountMinor, toPay.order.currency),
    }),
    keyboard: [
      [{ text: translate(lang, 'wallet.payOrderNow'), callback_data: WalletCallbacks.payOrder(toPay.order.id) }],
      [{ text: translate(lang, 'wallet.notNow'), callback_data: CallbackData.menu('home') }],
    ],
  };
}
