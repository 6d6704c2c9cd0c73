import type { Language } from '@botfleet/catalog';
import { maskCardNumber } from '@botfleet/catalog';
import type { CardPaymentEntity } from '@botfleet/dal';
import { RECEIPT_TEXT_MAX, type ReviewSubject } from '@botfleet/sales';
import { translate } from '../i18n/translate';
import { formatDateTime } from '../screens/subscription-format';
import { fitHtml, plain, TELEGRAM_LIMITS } from '../text/html';
import { formatMoney, localizedName } from './sale-format';

/** How a reviewer (`reviewed_by`, `<actor type>:<actor id>`) is shown in the admin chat. */
export function reviewerLabel(reviewedBy: string | null): string {
  if (!reviewedBy) return '—';
  const [type, id] = reviewedBy.split(':');
  if (type === 'bot_admin') return `admin ${id}`;
  if (type === 'master') return 'platform';
  return 'API';
}

/**
 * The review message of a receipt: who pays, for what, to which card, until when; a text receipt below. The
 * "photo used before" warning is the first line, so no cut can take it. Everything foreign is escaped first
 * and the whole is then fitted to `limit` (Telegram's 4096 for a message, 1024 for a photo's caption),
 * counted on the shown text and cut only between characters, with a marker saying it was shortened.
 */
export function reviewMessageText(
  lang: Language,
  payment: CardPaymentEntity,
  { user, order, card, plan }: ReviewSubject,
  botCurrency: string,
  limit: number = TELEGRAM_LIMITS.messageText,
): string {
  const who =
    [user?.firstName, user?.lastName].filter(Boolean).join(' ') + (user?.username ? ` @${user.username}` : '');
  let text =
    (payment.isFlagged ? translate(lang, 'review.flagged') + '\n\n' : '') +
    translate(lang, 'review.title', { tracking: payment.trackingNumber }) +
    '\n\n' +
    translate(lang, 'review.body', {
      user: { html: plain(who || '—', 120) },
      tgId: user?.telegramId ?? '—',
      plan: {
        html:
          payment.purpose === 'topup'
            ? translate(lang, 'review.topUp')
            : plain(plan ? localizedName(plan.name, lang) : '—', 100),
      },
      amount: formatMoney(lang, payment.amountMinor, order?.currency ?? botCurrency),
      card: { html: card ? `${maskCardNumber(card.cardNumber)} · ${plain(card.cardHolderName, 100)}` : '—' },
      expires: formatDateTime(lang, payment.expiresAt),
    });
  if (payment.receiptType === 'text') {
    text += '\n\n' + translate(lang, 'review.text', { text: { html: plain(payment.receiptText, RECEIPT_TEXT_MAX) } });
  }
  return fitHtml(text, limit, '…\n' + translate(lang, 'review.shortened'));
}

/** The user's notice that a receipt was rejected: the admin's reason (foreign text, cleaned and escaped) and until when a new one is taken. */
export function rejectionNoticeText(lang: Language, payment: CardPaymentEntity): string {
  return translate(lang, 'receipt.rejected', {
    tracking: payment.trackingNumber,
    reason: { html: plain(payment.rejectionReason ?? '', 500) },
    expires: formatDateTime(lang, payment.expiresAt),
  });
}

/** Said under the review message when a receipt was rejected: by whom and why. */
export function rejectedByText(lang: Language, payment: CardPaymentEntity): string {
  return translate(lang, 'review.rejectedBy', {
    by: reviewerLabel(payment.reviewedBy),
    reason: { html: plain(payment.rejectionReason ?? '', 500) },
  });
}

/** The owner's alert that a notice could not be delivered; what it names is shown as foreign text. */
export function noticeUndeliveredText(
  lang: Language,
  botUsername: string,
  notice?: string | number,
  ref?: string | number,
): string {
  return translate(lang, 'owner.noticeUndelivered', {
    bot: `@${botUsername}`,
    notice: { html: plain(String(notice ?? '-'), 200) },
    ref: { html: plain(String(ref ?? '-'), 200) },
  });
}
