import { Injectable } from '@nestjs/common';
import type { InlineKeyboardButton } from 'telegraf/types';
import { FeaturesService, Language, Localized } from '@botfleet/catalog';
import { BotSelfRepository } from '@botfleet/dal';
import type { AutoRenewOutcome, DueReminder, ResolvedReminderSettings } from '@botfleet/growth';
import { TopUpOptions } from '@botfleet/payments';
import { SubscriptionViewsService } from '@botfleet/provisioning';
import { canSell, SalesQueries } from '@botfleet/sales';
import type { Screen } from '../context/bot-context';
import type { TextKey } from '../i18n/texts';
import { fillTemplate, TextVars, translate } from '../i18n/translate';
import { Messenger } from '../messaging/messenger.service';
import { RecipientGoneError } from '../messaging/recipient-gone';
import { credentialsOf } from '../runtime/bot-runtime';
import { CallbackData } from '../screens/callback-data';
import { formatDateTime } from '../screens/subscription-format';
import { SaleCallbacks } from '../sales/sale-callbacks';
import { formatMoney, localizedName } from '../sales/sale-format';
import { fitHtml, plain, plainBlock, TELEGRAM_LIMITS } from '../text/html';
import { WalletCallbacks } from '../wallet/wallet-callbacks';

/** What became of a notice: sent, or nobody to tell (the user blocked the bot, the bot cannot speak). */
export type NoticeResult = 'sent' | 'nobody';

type ShortOutcome = Extract<AutoRenewOutcome, { kind: 'short' }>;

const REMINDER_TEXT: Record<DueReminder['kind'], TextKey> = {
  expiring: 'reminder.expiring',
  expired: 'reminder.expired',
  traffic: 'reminder.traffic',
};

/** The tenant's own text in `lang` (escaped, placeholders filled), else ours. */
function textOf(own: Localized | undefined, lang: Language, key: TextKey, vars: TextVars): string {
  const t = own?.[lang];
  // Placeholders may repeat: the filled text is fitted to a message again.
  return t && t.trim() !== ''
    ? fitHtml(fillTemplate(plainBlock(t, 1000), vars), TELEGRAM_LIMITS.messageText)
    : translate(lang, key, vars);
}

/** A reminder's screen: its text (the tenant's or ours) and Renew (or Buy for a trial) when a sale can pay. */
export function reminderScreen(
  lang: Language,
  r: Pick<DueReminder, 'kind' | 'days' | 'percent' | 'planId' | 'isTrial' | 'subscriptionId'>,
  planName: Localized,
  expiresAt: Date | null,
  settings: Pick<ResolvedReminderSettings, 'texts'>,
  sells: boolean,
): Screen {
  const vars: TextVars = {
    plan: { html: plain(localizedName(planName, lang), 64) },
    days: r.days ?? 0,
    percent: r.percent ?? 0,
    date: expiresAt ? formatDateTime(lang, expiresAt) : '—',
  };
  const text = textOf(settings.texts[r.kind], lang, REMINDER_TEXT[r.kind], vars);
  const keyboard: InlineKeyboardButton[][] = [];
  if (sells && r.planId && !r.isTrial) {
    keyboard.push([
      { text: translate(lang, 'reminder.renewButton'), callback_data: SaleCallbacks.renew(r.planId, r.subscriptionId) },
    ]);
  } else if (sells) {
    keyboard.push([{ text: translate(lang, 'reminder.buyButton'), callback_data: CallbackData.menu('buy') }]);
  }
  return { text, keyboard };
}

/** Auto-renew could not pay: the figures and a button that tops the wallet up by what is missing (within the limits). */
export function autoRenewShortScreen(
  lang: Language,
  planName: Localized,
  expiresAt: Date | null,
  o: Pick<ShortOutcome, 'balanceMinor' | 'requiredMinor' | 'currency'>,
  limits: { minMinor: number; maxMinor: number } = { minMinor: 1, maxMinor: Number.MAX_SAFE_INTEGER },
): Screen {
  // What is missing, within the shop's top-up limits (at least the minimum top-up).
  const missing = Math.min(Math.max(1, o.requiredMinor - o.balanceMinor, limits.minMinor), limits.maxMinor);
  return {
    text: translate(lang, 'autorenew.short', {
      plan: { html: plain(localizedName(planName, lang), 64) },
      balance: formatMoney(lang, o.balanceMinor, o.currency),
      price: formatMoney(lang, o.requiredMinor, o.currency),
      date: expiresAt ? formatDateTime(lang, expiresAt) : '—',
    }),
    keyboard: [
      [
        {
          text: translate(lang, 'autorenew.topUpButton', { amount: formatMoney(lang, missing, o.currency) }),
          callback_data: WalletCallbacks.methods(missing),
        },
      ],
    ],
  };
}

/**
 * Sends the growth scan's messages (reminders, auto-renew short of money) through the bot's own token, in the
 * customer's language. The caller has claimed the once-key; a throw means "not sent, give the claim back".
 */
@Injectable()
export class ReminderNotices {
  constructor(
    private readonly botSelf: BotSelfRepository,
    private readonly queries: SalesQueries,
    private readonly features: FeaturesService,
    private readonly views: SubscriptionViewsService,
    private readonly messenger: Messenger,
    private readonly topUps: TopUpOptions,
  ) {}

  async reminder(r: DueReminder, settings: ResolvedReminderSettings): Promise<NoticeResult> {
    const sells = canSell(await this.features.enabledSet(r.botId));
    return this.send(r.botId, r.userId, r.subscriptionId, (lang, name, expiresAt) =>
      reminderScreen(lang, r, name, expiresAt, settings, sells),
    );
  }

  async autoRenewShort(botId: string, userId: string, subscriptionId: string, o: ShortOutcome): Promise<NoticeResult> {
    const limits = await this.topUps.limits(botId);
    return this.send(botId, userId, subscriptionId, (lang, name, expiresAt) =>
      autoRenewShortScreen(lang, name, expiresAt, o, limits),
    );
  }

  private async send(
    botId: string,
    userId: string,
    subscriptionId: string,
    screen: (lang: Language, planName: Localized, expiresAt: Date | null) => Screen,
  ): Promise<NoticeResult> {
    const bot = await this.botSelf.get(botId);
    if (!bot || bot.status !== 'active') return 'nobody';
    const user = await this.queries.buyer(botId, userId);
    if (!user || user.botBlockedAt) return 'nobody';
    const sub = await this.views.findForUser(botId, userId, subscriptionId);
    if (!sub) return 'nobody';
    const lang = (user.language ?? bot.defaultLanguage) as Language;
    const s = screen(lang, sub.planName, sub.expiresAt);
    try {
      await this.messenger.as(credentialsOf(bot)).sendMessage(user.telegramId, s.text, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(s.keyboard?.length ? { reply_markup: { inline_keyboard: s.keyboard } } : {}),
      });
    } catch (err) {
      // The messenger has marked a user who blocked the bot; nothing more to tell them.
      if (err instanceof RecipientGoneError) return 'nobody';
      throw err;
    }
    return 'sent';
  }
}
