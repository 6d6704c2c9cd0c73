import type { Language } from '@botfleet/catalog';
import type { SubscriptionView } from '@botfleet/provisioning';
import type { Screen } from '../context/bot-context';
import { subscriptionText } from '../i18n/subscription-texts';
import { translate } from '../i18n/translate';
import { escapeHtml, plain, TELEGRAM_LIMITS } from '../text/html';
import { CallbackData } from './callback-data';
import { SaleCallbacks } from '../sales/sale-callbacks';
import { saleText } from '../sales/sale-texts';
import { formatDateTime, formatTraffic } from './subscription-format';

function planLabel(lang: Language, sub: SubscriptionView): string {
  const own = sub.planName[lang]?.trim() || Object.values(sub.planName).find((n) => !!n && n.trim() !== '');
  const name = own ? plain(own, 64) : escapeHtml(subscriptionText(lang, 'subs.planFallback'));
  return sub.isTrial ? `${name} (${escapeHtml(subscriptionText(lang, 'subs.trial'))})` : name;
}

function entry(lang: Language, sub: SubscriptionView, n: number): string {
  const lines = [
    subscriptionText(lang, 'subs.item', {
      n,
      plan: { html: planLabel(lang, sub) },
      status: subscriptionText(lang, `status.${sub.status}`),
    }),
  ];
  const used = formatTraffic(lang, sub.trafficUsedBytes, false);
  lines.push(
    sub.trafficLimitBytes > 0
      ? subscriptionText(lang, 'subs.usage', { used, limit: formatTraffic(lang, sub.trafficLimitBytes) })
      : subscriptionText(lang, 'subs.usageUnlimited', { used }),
  );
  if (sub.expiresAt) {
    const date = formatDateTime(lang, sub.expiresAt);
    lines.push(subscriptionText(lang, sub.status === 'active' ? 'subs.expires' : 'subs.expired', { date }));
  }
  if (sub.status === 'active' && sub.subscriptionUrl) {
    lines.push(subscriptionText(lang, 'subs.link', { url: sub.subscriptionUrl }));
  }
  return lines.join('\n');
}

/**
 * /subs and the menu's "My subscriptions": each subscription with its status, usage, expiry and (while
 * active) its link to copy. With `renew` (a way to pay is on), each paid subscription gets a Renew button
 * that orders its own plan again for that subscription and goes straight to the payment methods.
 */
export function subscriptionsScreen(lang: Language, subs: SubscriptionView[], renew = false): Screen {
  const back = [[{ text: translate(lang, 'menu.back'), callback_data: CallbackData.menu('home') }]];
  if (!subs.length) {
    return {
      text: `${subscriptionText(lang, 'subs.title')}\n\n${subscriptionText(lang, 'subs.none')}`,
      keyboard: back,
    };
  }
  let text = subscriptionText(lang, 'subs.title');
  const rows: { text: string; callback_data: string }[][] = [];
  for (const [i, sub] of subs.entries()) {
    const next = `${text}\n\n${entry(lang, sub, i + 1)}`;
    // Long links could push a long list past Telegram's limit: stop at the last entry that fits.
    if (next.length > TELEGRAM_LIMITS.messageText) break;
    text = next;
    if (
      renew &&
      sub.planId &&
      !sub.isTrial &&
      ['active', 'expired', 'disabled'].includes(sub.status) &&
      rows.length < 5
    ) {
      rows.push([
        {
          text: saleText(lang, 'buy.renewButton', { label: `#${i + 1}` }),
          callback_data: SaleCallbacks.renew(sub.planId, sub.id),
        },
      ]);
    }
  }
  return { text, keyboard: [...rows, ...back] };
}
