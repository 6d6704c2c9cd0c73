/**
 * The small page a gateway sends the buyer back to (GET /payments/zarinpal/callback …): what became of the payment,
 * in the buyer's language (fa right to left), and a link back to the bot. The API may not load the bot's text
 * catalogue (libs/telegram: the API never loads Telegraf), so this page's few sentences live here, in the same
 * three languages. Everything interpolated is escaped.
 */
export type PaymentPageKind = 'paid' | 'paidWallet' | 'failed' | 'pending' | 'refunded' | 'unknown';
export type PageLanguage = 'fa' | 'en' | 'ru';

const TEXTS: Record<PageLanguage, Record<PaymentPageKind | 'title' | 'back', string>> = {
  en: {
    title: 'Payment',
    paid: 'Payment received. Your order is being prepared — the bot sends it to you in a moment.',
    paidWallet: 'Payment received and added to your wallet in the bot.',
    failed: 'The payment was not completed. If money was taken from your card, the bank returns it within 72 hours.',
    pending:
      'We could not confirm the payment yet. If you paid, it is confirmed within a few minutes and the bot tells you.',
    refunded: 'This payment was refunded.',
    unknown: 'This payment is not known. Please go back to the bot and start again.',
    back: 'Back to the bot',
  },
  fa: {
    title: 'پرداخت',
    paid: 'پرداخت دریافت شد. سفارش شما در حال آماده‌سازی است و ربات به‌زودی آن را برایتان می‌فرستد.',
    paidWallet: 'پرداخت دریافت شد و به کیف پول شما در ربات اضافه شد.',
    failed: 'پرداخت انجام نشد. اگر مبلغی از کارت شما کسر شده باشد، ظرف ۷۲ ساعت توسط بانک بازگردانده می‌شود.',
    pending:
      'هنوز نتوانستیم پرداخت را تأیید کنیم. اگر پرداخت کرده‌اید، ظرف چند دقیقه تأیید می‌شود و ربات به شما خبر می‌دهد.',
    refunded: 'این پرداخت بازگردانده شده است.',
    unknown: 'این پرداخت شناخته نشد. لطفاً به ربات برگردید و دوباره تلاش کنید.',
    back: 'بازگشت به ربات',
  },
  ru: {
    title: 'Оплата',
    paid: 'Оплата получена. Ваш заказ готовится — бот пришлёт его через минуту.',
    paidWallet: 'Оплата получена и зачислена на ваш кошелёк в боте.',
    failed: 'Оплата не завершена. Если деньги списались с карты, банк вернёт их в течение 72 часов.',
    pending:
      'Мы ещё не смогли подтвердить оплату. Если вы оплатили, она подтвердится в течение нескольких минут, и бот сообщит вам.',
    refunded: 'Этот платёж возвращён.',
    unknown: 'Этот платёж не найден. Вернитесь в бота и попробуйте снова.',
    back: 'Вернуться в бота',
  },
};

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const USERNAME = /^[A-Za-z0-9_]{5,32}$/;

export function paymentResultPage(kind: PaymentPageKind, lang: PageLanguage, botUsername?: string | null): string {
  const t = TEXTS[lang] ?? TEXTS.en;
  const dir = lang === 'fa' ? 'rtl' : 'ltr';
  const ok = kind === 'paid' || kind === 'paidWallet';
  const link =
    botUsername && USERNAME.test(botUsername)
      ? `<p><a class="b" href="https://t.me/${escape(botUsername)}">${escape(t.back)}</a></p>`
      : '';
  return `<!doctype html>
<html lang="${lang}" dir="${dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(t.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;text-align:center;color:#222}
.m{font-size:1.15rem;line-height:1.6}.i{font-size:3rem}.b{display:inline-block;margin-top:1rem;padding:.7rem 1.4rem;border-radius:.5rem;background:#2a7be4;color:#fff;text-decoration:none}</style>
</head><body><div class="i">${ok ? '✅' : kind === 'pending' ? '⏳' : '⚠️'}</div>
<p class="m" data-result="${kind}">${escape(t[kind])}</p>${link}</body></html>`;
}
