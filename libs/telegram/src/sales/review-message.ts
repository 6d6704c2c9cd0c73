import type { Language } from '@botfleet/catalog';
import { maskCardNumber } from '@botfleet/catalog';
import type { CardPaymentEntity } from '@botfleet/dal';
import type { ReviewSubject } from '@botfleet/sales';
import { translate } from '../i18n/translate';
import { formatDateTime } from '../screens/subscription-format';
import { plain } from '../text/html';
import { formatMoney, localizedName } from './sale-format';

/** How a reviewer (`reviewed_by`, `<actor type>:<actor id>`) is shown in the admin chat. */
export function reviewerLabel(reviewedBy: string | null): string {
  if (!reviewedBy) return '—';
  const [type, id] = reviewedBy.split(':');
  if (type === 'bot_admin') return `admin ${id}`;
  if (type === 'master') return 'platform';
  return 'API';
}

/** The review message of a receipt: who pays, for what, to which card, until when; flagged photos and text receipts. */
export function reviewMessageText(
  lang: Language,
  payment: CardPaymentEntity,
  { user, order, card, plan }: ReviewSubject,
  botCurrency: string,
): string {
  const who =
    [user?.firstName, user?.lastName].filter(Boolean).join(' ') + (user?.username ? ` @${user.username}` : '');
  let text =
    translate(lang, 'review.title', { tracking: payment.trackingNumber }) +
    '\n\n' +
    translate(lang, 'review.body', {
      user: { html: plain(who || '—', 120) },
      tgId: user?.telegramId ?? '—',
      plan: { html: plain(plan ? localizedName(plan.name, lang) : '—', 100) },
      amount: formatMoney(lang, payment.amountMinor, order?.currency ?? botCurrency),
      card: card ? `${maskCardNumber(card.cardNumber)} · ${card.cardHolderName}` : '—',
      expires: formatDateTime(lang, payment.expiresAt),
    });
  if (payment.isFlagged) text += '\n\n' + translate(lang, 'review.flagged');
  if (payment.receiptType === 'text') {
    text += '\n\n' + translate(lang, 'review.text', { text: { html: plain(payment.receiptText, 900) } });
  }
  return text;
}
