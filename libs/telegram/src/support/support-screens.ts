import type { InlineKeyboardButton } from 'telegraf/types';
import type { Language } from '@botfleet/catalog';
import type { TicketEntity, TicketMessageEntity, TicketStatus } from '@botfleet/dal';
import { type CustomerCard, TICKET_MESSAGE_MAX, TICKET_SUBJECT_MAX } from '@botfleet/support';
import type { Screen } from '../context/bot-context';
import type { TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import type { BotProfile } from '../profile/bot-profile';
import { formatMoney, localizedName } from '../sales/sale-format';
import { supportScreen } from '../screens/screens';
import { formatDateTime } from '../screens/subscription-format';
import { fitHtml, fitLabel, htmlToText, plain, plainBlock, TELEGRAM_LIMITS } from '../text/html';
import { SupportCallbacks } from './support-callbacks';

/**
 * What support shows, as pure functions of the data (the hostile-text corpus runs them): the customer's
 * screens in their language, the admin chat's posts in the bot's language. Everything the customer or the
 * tenant typed (subject, messages, names) is foreign text: cleaned, clipped, escaped, and the whole fitted to
 * Telegram's limit.
 */

const STATUS: Record<TicketStatus, TextKey> = {
  open: 'ticket.status.open',
  answered: 'ticket.status.answered',
  closed: 'ticket.status.closed',
};

const button = (text: string, data: string): InlineKeyboardButton => ({ text: fitLabel(text), callback_data: data });
const fit = (html: string, lang: Language, limit: number = TELEGRAM_LIMITS.messageText) =>
  fitHtml(html, limit, '…\n' + translate(lang, 'review.shortened'));

/** /support with tickets on: the shop's support text, then "Open a ticket" and "My tickets". */
export function supportHomeScreen(profile: BotProfile, lang: Language): Screen {
  return supportScreen(profile, lang, [
    [button(translate(lang, 'ticket.openButton'), SupportCallbacks.open())],
    [button(translate(lang, 'ticket.listButton'), SupportCallbacks.list())],
  ]);
}

export const cancelKeyboard = (lang: Language): InlineKeyboardButton[][] => [
  [button(translate(lang, 'ticket.cancelButton'), SupportCallbacks.cancel())],
];

export function askSubjectText(lang: Language): string {
  return translate(lang, 'ticket.askSubject', { max: TICKET_SUBJECT_MAX });
}

export function invalidText(lang: Language, what: 'subject' | 'message'): string {
  return what === 'subject'
    ? translate(lang, 'ticket.subjectInvalid', { max: TICKET_SUBJECT_MAX })
    : translate(lang, 'ticket.messageInvalid', { max: TICKET_MESSAGE_MAX });
}

/** The offer to add a message sent while a ticket is open. */
export function offerAddScreen(lang: Language, ticket: TicketEntity, messageId: number): Screen {
  return {
    text: translate(lang, 'ticket.offerAdd', { number: ticket.number }),
    keyboard: [
      [
        button(
          translate(lang, 'ticket.addButton', { number: ticket.number }),
          SupportCallbacks.add(ticket.id, messageId),
        ),
      ],
      [button(translate(lang, 'ticket.noButton'), SupportCallbacks.cancel())],
    ],
  };
}

/** "My tickets": the latest ones, a button each. */
export function ticketListScreen(lang: Language, tickets: TicketEntity[]): Screen {
  if (!tickets.length) {
    return {
      text: translate(lang, 'ticket.listTitle') + '\n\n' + translate(lang, 'ticket.listEmpty'),
      keyboard: [[button(translate(lang, 'ticket.openButton'), SupportCallbacks.open())]],
    };
  }
  const lines = tickets.map((t) =>
    translate(lang, 'ticket.listItem', {
      number: t.number,
      status: translate(lang, STATUS[t.status]),
      subject: { html: plain(t.subject ?? '—', 60) },
    }),
  );
  return {
    text: fit(translate(lang, 'ticket.listTitle') + '\n\n' + lines.join('\n'), lang),
    keyboard: tickets.map((t) => [
      button(
        htmlToText(
          translate(lang, 'ticket.listItem', {
            number: t.number,
            status: translate(lang, STATUS[t.status]),
            subject: { html: plain(t.subject ?? '—', 40) },
          }),
        ),
        SupportCallbacks.view(t.id),
      ),
    ]),
  };
}

/** One ticket for its customer: subject, state, the last messages, and Reply / Close while it is not closed. */
export function ticketScreen(lang: Language, ticket: TicketEntity, messages: TicketMessageEntity[]): Screen {
  const head = translate(lang, 'ticket.view', {
    number: ticket.number,
    status: translate(lang, STATUS[ticket.status]),
    subject: { html: plain(ticket.subject ?? '—', 200) },
  });
  const body = messages.map((m) => {
    const who = translate(lang, m.sender === 'user' ? 'ticket.fromYou' : 'ticket.fromSupport');
    const text = m.text ? plainBlock(m.text, 600) : '';
    const photo = m.photoFileId ? translate(lang, 'ticket.photo') : '';
    return `${who}\n${[photo, text].filter(Boolean).join(' ')}`;
  });
  const keyboard: InlineKeyboardButton[][] = [];
  if (ticket.status !== 'closed') {
    keyboard.push([
      button(translate(lang, 'ticket.replyButton'), SupportCallbacks.reply(ticket.id)),
      button(translate(lang, 'ticket.closeButton'), SupportCallbacks.close(ticket.id)),
    ]);
  }
  keyboard.push([button(translate(lang, 'ticket.listButton'), SupportCallbacks.list())]);
  return { text: fit([head, ...body].join('\n\n'), lang), keyboard };
}

/**
 * The answer as the customer gets it, with Reply / Close under it. `limit`: 1024 when it is a photo's caption.
 * `opening`: the first message of a ticket the shop opened, which says support wrote to them (with the subject).
 */
export function answerScreen(
  lang: Language,
  ticket: TicketEntity,
  message: TicketMessageEntity,
  limit: number = TELEGRAM_LIMITS.messageText,
  opening = false,
): Screen {
  const text = { html: plainBlock(message.text, 4000) };
  return {
    text: fit(
      opening
        ? translate(lang, 'ticket.openedByShop', {
            number: ticket.number,
            subject: { html: plain(ticket.subject ?? '—', 200) },
            text,
          })
        : translate(lang, 'ticket.answer', { number: ticket.number, text }),
      lang,
      limit,
    ),
    keyboard: [
      [
        button(translate(lang, 'ticket.replyButton'), SupportCallbacks.reply(ticket.id)),
        button(translate(lang, 'ticket.closeButton'), SupportCallbacks.close(ticket.id)),
      ],
    ],
  };
}

const displayName = (user: { firstName: string | null; lastName: string | null } | null | undefined) =>
  [user?.firstName, user?.lastName].filter(Boolean).join(' ') || '—';

/**
 * The ticket as it appears in the admin chat: the customer's card (name, @username, Telegram id, language,
 * subscriptions, last orders), the subject and the first message, and how to answer. In the bot's language.
 */
export function adminCardText(
  lang: Language,
  currency: string,
  ticket: TicketEntity,
  card: CustomerCard | null,
  first: TicketMessageEntity | null,
): string {
  const user = card?.user;
  const lines = [
    translate(lang, 'ticketAdmin.card', { number: ticket.number, subject: { html: plain(ticket.subject, 200) } }),
    translate(lang, 'ticketAdmin.who', {
      name: { html: plain(displayName(user), 120) },
      username: { html: user?.username ? plain(`@${user.username}`, 40) : '' },
      tgId: user?.telegramId ?? '—',
      lang: user?.language ?? user?.languageCode ?? '—',
    }),
    '',
    translate(lang, 'ticketAdmin.subs'),
  ];
  const subs = card?.subscriptions ?? [];
  if (!subs.length) lines.push(translate(lang, 'ticketAdmin.noSubs'));
  for (const s of subs) {
    lines.push(
      translate(lang, 'ticketAdmin.sub', {
        plan: { html: plain(s.plan ? localizedName(s.plan.name, lang) : '—', 60) },
        status: s.status,
        expires: s.expiresAt ? formatDateTime(lang, s.expiresAt) : '—',
      }),
    );
  }
  lines.push('', translate(lang, 'ticketAdmin.orders'));
  const orders = card?.orders ?? [];
  if (!orders.length) lines.push(translate(lang, 'ticketAdmin.noOrders'));
  for (const o of orders) {
    lines.push(
      translate(lang, 'ticketAdmin.order', {
        date: formatDateTime(lang, o.createdAt),
        amount: formatMoney(lang, o.amountMinor, o.currency || currency),
        status: o.status,
      }),
    );
  }
  const howTo = '\n\n' + translate(lang, 'ticketAdmin.howTo');
  const text = first?.text ? plainBlock(first.text, 4000) : first?.photoFileId ? translate(lang, 'ticket.photo') : '';
  const message = '\n\n' + translate(lang, 'ticketAdmin.message', { text: { html: text } });
  // The how-to stays whole: the message is what a cut may shorten.
  return fit(lines.join('\n') + message, lang, TELEGRAM_LIMITS.messageText - htmlToText(howTo).length) + howTo;
}

export const adminCardKeyboard = (lang: Language, ticket: TicketEntity): InlineKeyboardButton[][] => [
  [
    button(
      translate(lang, 'ticketAdmin.closeButton', { number: ticket.number }),
      SupportCallbacks.adminClose(ticket.id),
    ),
  ],
];

/** A customer's follow-up as posted in the admin chat (a photo's caption when `limit` is 1024). */
export function adminFollowUpText(
  lang: Language,
  ticket: TicketEntity,
  user: { firstName: string | null; lastName: string | null } | null,
  message: TicketMessageEntity,
  limit: number = TELEGRAM_LIMITS.messageText,
): string {
  return fit(
    translate(lang, 'ticketAdmin.followUp', {
      number: ticket.number,
      name: { html: plain(displayName(user), 120) },
      text: { html: message.text ? plainBlock(message.text, 4000) : translate(lang, 'ticket.photo') },
    }),
    lang,
    limit,
  );
}

/** An answer given over the API, shown to the admins under the ticket's card. */
export function adminApiReplyText(lang: Language, ticket: TicketEntity, message: TicketMessageEntity): string {
  return fit(
    translate(lang, 'ticketAdmin.apiReply', { number: ticket.number, text: { html: plainBlock(message.text, 4000) } }),
    lang,
  );
}

/** Who closed a ticket, for the admin chat: the customer, an admin (by Telegram id) or the API. */
export function adminClosedText(lang: Language, ticket: TicketEntity): string {
  const by = ticket.closedBy ?? '';
  if (by.startsWith('user:')) return translate(lang, 'ticketAdmin.closedByCustomer', { number: ticket.number });
  const [type, id] = by.split(':');
  const label = type === 'bot_admin' ? `admin ${id}` : type === 'master' ? 'platform' : 'API';
  return translate(lang, 'ticketAdmin.closedBy', { number: ticket.number, by: label });
}
