import { ErrorCode } from '@botfleet/common';
import type { Language } from '@botfleet/catalog';
import type { BotContext } from '../context/bot-context';
import type { ReplyOverrides } from '../errors/reply-for';
import { translate } from '../i18n/translate';
import { formatMoney } from './sale-format';

/** The purchase: a short wallet is told with its figures (see walletFigures). */
export const PURCHASE_REPLIES: ReplyOverrides = { [ErrorCode.INSUFFICIENT_BALANCE]: 'buy.walletShort' };

/**
 * Sending a receipt: "not found" means no payment is waiting for one; a refused receipt wants a photo; a
 * conflict means several payments wait and the user must reply to the card screen of the one it is for.
 */
export const RECEIPT_REPLIES: ReplyOverrides = {
  [ErrorCode.NOT_FOUND]: 'receipt.none',
  [ErrorCode.VALIDATION_FAILED]: 'receipt.needPhoto',
  [ErrorCode.CONFLICT]: 'receipt.whichPayment',
};

/** Reviewing a receipt, in the bot's language (the admin chat is shared). */
export const REVIEW_REPLIES: ReplyOverrides = {
  [ErrorCode.FORBIDDEN]: 'review.onlyAdmins',
  [ErrorCode.NOT_FOUND]: 'review.notFound',
  [ErrorCode.ALREADY_PAID]: 'review.already',
  [ErrorCode.CONFLICT]: 'review.noReceipt',
  [ErrorCode.VALIDATION_FAILED]: 'review.reasonInvalid',
};

/** The balance and the price of a short wallet (PayFromWalletUseCase's error details), formatted; null without them. */
export function walletFigures(lang: Language, details: unknown): { balance: string; price: string } | null {
  const d = details as { balanceMinor?: unknown; requiredMinor?: unknown; currency?: unknown } | undefined;
  if (typeof d?.balanceMinor !== 'number' || typeof d.requiredMinor !== 'number' || typeof d.currency !== 'string') {
    return null;
  }
  return {
    balance: formatMoney(lang, d.balanceMinor, d.currency),
    price: formatMoney(lang, d.requiredMinor, d.currency),
  };
}

/** Alerts are plain text: the same words without markup. */
export const alertText = (html: string): string => html.replace(/<[^>]+>/g, '');

/** "Not available": an alert on the pressed button, or a message. */
export function answerUnavailable(ctx: BotContext): void {
  const text = translate(ctx.lang, 'common.unavailable');
  if (ctx.callbackQuery) ctx.answerCallback(text, true);
  else ctx.say(text);
}
