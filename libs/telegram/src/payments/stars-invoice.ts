import type { Language } from '@botfleet/catalog';
import type { BotContext } from '../context/bot-context';
import { translate } from '../i18n/translate';
import { htmlToText } from '../text/html';
import { cleanText } from '../text/sanitize';

/** The invoice a gateway asked the bot to send (StartedGatewayPayment `invoice`, today Telegram Stars). */
export interface InvoiceToSend {
  title: string;
  payload: string;
  currency: string;
  amount: number;
  days: number;
}

/** Telegram's limits of an invoice: title 1–32 and description 1–255 characters (plain text). */
export const INVOICE_LIMITS = { title: 32, description: 255 } as const;

/** Reads the adapter's invoice fields strictly (they are ours, but typed loosely by the port). */
export function invoiceToSend(invoice: Record<string, string | number>): InvoiceToSend | null {
  const { title, payload, currency, amount, days } = invoice;
  if (typeof title !== 'string' || typeof payload !== 'string' || typeof currency !== 'string') return null;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) return null;
  return { title, payload, currency, amount, days: typeof days === 'number' ? days : 0 };
}

/** Plain text cut to `max` UTF-16 units, never inside a surrogate pair; `fallback` when nothing is left. */
function fitPlain(text: string, max: number, fallback: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return fallback;
  if (flat.length <= max) return flat;
  let out = '';
  for (const ch of flat) {
    if (out.length + ch.length > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * The `sendInvoice` parameters of a Stars payment: currency XTR, an empty provider token, one price. Title and
 * description are plain text (Telegram shows them as is), made from the tenant's plan name: cleaned (no NUL, lone
 * surrogates or direction controls) and fitted to Telegram's limits, the description from the catalogue.
 */
export function starsInvoiceParams(lang: Language, chatId: number, invoice: InvoiceToSend) {
  const title = fitPlain(cleanText(invoice.title), INVOICE_LIMITS.title, 'VPN');
  const described = htmlToText(
    translate(lang, 'stars.invoiceDescription', { plan: cleanText(invoice.title).slice(0, 200), days: invoice.days }),
  );
  const description = fitPlain(described, INVOICE_LIMITS.description, title);
  return {
    chat_id: chatId,
    title,
    description,
    payload: invoice.payload,
    provider_token: '',
    currency: invoice.currency,
    prices: [{ label: title, amount: invoice.amount }],
  };
}

/** Queues `sendInvoice` in the buyer's chat, after the update commits like every answer. */
export function queueStarsInvoice(ctx: BotContext, invoice: InvoiceToSend): boolean {
  const chatId = ctx.chat?.id ?? ctx.from?.id;
  if (chatId === undefined) return false;
  ctx.outbox.add('sendInvoice', starsInvoiceParams(ctx.lang, chatId, invoice));
  return true;
}
