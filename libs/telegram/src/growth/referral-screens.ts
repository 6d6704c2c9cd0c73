import type { Language } from '@botfleet/catalog';
import type { ReferralSummary } from '@botfleet/growth';
import type { Screen } from '../context/bot-context';
import { translate } from '../i18n/translate';
import { CallbackData } from '../screens/callback-data';
import { formatMoney } from '../sales/sale-format';

/** The deep link that records the referrer at /start (`ref_<code>`); the bare payload when the bot has no username. */
export function referralLink(botUsername: string, summary: Pick<ReferralSummary, 'startPayload'>): string {
  return /^[A-Za-z0-9_]{3,64}$/.test(botUsername)
    ? `https://t.me/${botUsername}?start=${summary.startPayload}`
    : summary.startPayload;
}

/** /ref: the user's link, the commission, how many joined and bought, and what they earned. */
export function referralScreen(lang: Language, botUsername: string, s: ReferralSummary, currency: string): Screen {
  const link = referralLink(botUsername, s);
  const title = translate(lang, 'ref.title', {
    link,
    percent: s.commissionPercent,
    scope: translate(lang, s.scope === 'every_purchase' ? 'ref.scope.every_purchase' : 'ref.scope.first_purchase'),
  });
  const stats = translate(lang, 'ref.stats', {
    joined: s.joined,
    bought: s.bought,
    earned: formatMoney(lang, s.earnedMinor, currency),
  });
  return {
    text: `${title}\n\n${stats}`,
    keyboard: [[{ text: translate(lang, 'menu.back'), callback_data: CallbackData.menu('home') }]],
  };
}
