import type { Language } from '@botfleet/catalog';
import type { SubscriptionView } from '@botfleet/provisioning';
import type { Screen } from '../context/bot-context';
import { translate } from '../i18n/translate';
import { escapeHtml, plain, TELEGRAM_LIMITS } from '../text/html';
import { CallbackData } from './callback-data';
import { SaleCallbacks } from '../sales/sale-callbacks';
import { AutoRenewCallbacks } from '../growth/auto-renew-callbacks';
import { formatDateTime, formatTraffic } from './subscription-format';

function planLabel(lang: Language, sub: SubscriptionView): string {
  const own = sub.planName[lang]?.trim() || Object.values(sub.planName).find((n) => !!n && n.trim() !== '');
  const name = own ? plain(own, 64) : escapeHtml(translate(lang, 'subs.planFallback'));
  return sub.isTrial ? `${name} (${escapeHtml(translate(lang, 'subs.trial'))})` : name;
}

function entry(lang: Language, sub: SubscriptionView, n: number): string {
  const lines = [
    translate(lang, 'subs.item', {
      n,
      plan: { html: planLabel(lang, sub) },
      status: translate(lang, `status.${sub.status}`),
    }),
  ];
  if (sub.status === 'pending') {
    // Paid, and the account is on its way (or its delivery is): say so rather than "no subscriptions".
    lines.push(translate(lang, 'subs.preparing'));
    return lines.join('\n');
  }
  const used = formatTraffic(lang, sub.trafficUsedBytes, false);
  lines.push(
    sub.trafficLimitBytes > 0
      ? translate(lang, 'subs.usage', { used, limit: formatTraffic(lang, sub.trafficLimitBytes) })
      : translate(lang, 'subs.usageUnlimited', { used }),
  );
  if (sub.expiresAt) {
    const date = formatDateTime(lang, sub.expiresAt);
    lines.push(translate(lang, sub.status === 'active' ? 'subs.expires' : 'subs.expired', { date }));
  }
  if (sub.status === 'active' && sub.subscriptionUrl) {
    lines.push(translate(lang, 'subs.link', { url: sub.subscriptionUrl }));
  }
  return lines.join('\n');
}

/**
 * /subs and the menu's "My subscriptions": each subscription with its status, usage, expiry and (while
 * active) its link to copy and a button that sends its QR code again; one being prepared says so. With
 * `renew` (a way to pay is on), each paid subscription gets a Renew button that orders its own plan again
 * for that subscription and goes straight to the payment methods. With `autoRenew` (feature `auto_renewal`), each
 * active paid subscription gets its auto-renew toggle (libs/telegram/src/growth/auto-renew*).
 */
export function subscriptionsScreen(
  lang: Language,
  subs: SubscriptionView[],
  renew = false,
  autoRenew = false,
): Screen {
  const back = [[{ text: translate(lang, 'menu.back'), callback_data: CallbackData.menu('home') }]];
  if (!subs.length) {
    return {
      text: `${translate(lang, 'subs.title')}\n\n${translate(lang, 'subs.none')}`,
      keyboard: back,
    };
  }
  let text = translate(lang, 'subs.title');
  const rows: { text: string; callback_data: string }[][] = [];
  for (const [i, sub] of subs.entries()) {
    const on = autoRenew && sub.autoRenew && sub.status === 'active' ? `\n${translate(lang, 'autorenew.status')}` : '';
    const next = `${text}\n\n${entry(lang, sub, i + 1)}${on}`;
    // Long links could push a long list past Telegram's limit: stop at the last entry that fits.
    if (next.length > TELEGRAM_LIMITS.messageText) break;
    text = next;
    if (rows.length >= 5) continue;
    const row: { text: string; callback_data: string }[] = [];
    if (sub.status === 'active' && sub.subscriptionUrl) {
      row.push({
        text: translate(lang, 'subs.qrButton', { label: `#${i + 1}` }),
        callback_data: CallbackData.subscriptionQr(sub.id),
      });
    }
    if (renew && sub.planId && !sub.isTrial && ['active', 'expired', 'disabled'].includes(sub.status)) {
      row.push({
        text: translate(lang, 'buy.renewButton', { label: `#${i + 1}` }),
        callback_data: SaleCallbacks.renew(sub.planId, sub.id),
      });
    }
    if (row.length) rows.push(row);
    if (autoRenew && sub.planId && !sub.isTrial && sub.status === 'active') {
      rows.push([
        {
          text: translate(lang, sub.autoRenew ? 'autorenew.toggleOff' : 'autorenew.toggleOn', { n: i + 1 }),
          callback_data: AutoRenewCallbacks.set(sub.id, !sub.autoRenew),
        },
      ]);
    }
  }
  return { text, keyboard: [...rows, ...back] };
}
