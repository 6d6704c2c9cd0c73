import type { Language } from '@botfleet/catalog';
import { fillTemplate, type TextVars } from './translate';

/**
 * The texts of subscription delivery and the /subs screen, in each language (HTML, `{name}` placeholders
 * filled with escaped values). Kept beside texts.ts rather than in it while that file is being extended by
 * the bot conversation work; the same rules apply: English defines the keys, the others must match.
 */
const en = {
  'delivery.readyTitle': '✅ <b>Your subscription is ready</b>',
  'delivery.renewedTitle': '✅ <b>Your subscription has been renewed</b>',
  'delivery.link': '🔗 Your link (tap to copy):',
  'delivery.expires': '📅 Valid until: {date}',
  'delivery.traffic': '📊 Traffic: {traffic}',
  'delivery.devices': '📱 Devices: {devices}',
  'delivery.howTo': 'Add the link (or scan the QR code) in your VPN app.',
  'delivery.qrCaption': 'QR code of your subscription link.',
  'subs.title': '📦 <b>My subscriptions</b>',
  'subs.none': 'You have no subscriptions yet.',
  'subs.item': '<b>{n}. {plan}</b> — {status}',
  'subs.usage': '📊 {used} of {limit}',
  'subs.usageUnlimited': '📊 {used} used (unlimited)',
  'subs.expires': '📅 Until {date}',
  'subs.expired': '📅 Ended {date}',
  'subs.link': '🔗 <code>{url}</code>',
  'subs.planFallback': 'Subscription',
  'subs.trial': 'Trial',
  'status.active': '🟢 active',
  'status.pending': '⏳ being prepared',
  'status.expired': '🔴 expired',
  'status.disabled': '⚪️ disabled',
  'status.failed': '⚠️ failed',
  'traffic.unlimited': 'unlimited',
  'devices.unlimited': 'unlimited',
};

export type SubscriptionTextKey = keyof typeof en;

const fa = {
  'delivery.readyTitle': '✅ <b>اشتراک شما آماده است</b>',
  'delivery.renewedTitle': '✅ <b>اشتراک شما تمدید شد</b>',
  'delivery.link': '🔗 لینک شما (برای کپی لمس کنید):',
  'delivery.expires': '📅 معتبر تا: {date}',
  'delivery.traffic': '📊 حجم: {traffic}',
  'delivery.devices': '📱 تعداد دستگاه: {devices}',
  'delivery.howTo': 'لینک را در برنامه VPN خود اضافه کنید (یا کد QR را اسکن کنید).',
  'delivery.qrCaption': 'کد QR لینک اشتراک شما.',
  'subs.title': '📦 <b>اشتراک‌های من</b>',
  'subs.none': 'هنوز اشتراکی ندارید.',
  'subs.item': '<b>{n}. {plan}</b> — {status}',
  'subs.usage': '📊 {used} از {limit}',
  'subs.usageUnlimited': '📊 {used} مصرف شده (نامحدود)',
  'subs.expires': '📅 تا {date}',
  'subs.expired': '📅 پایان یافته در {date}',
  'subs.link': '🔗 <code>{url}</code>',
  'subs.planFallback': 'اشتراک',
  'subs.trial': 'آزمایشی',
  'status.active': '🟢 فعال',
  'status.pending': '⏳ در حال آماده‌سازی',
  'status.expired': '🔴 منقضی',
  'status.disabled': '⚪️ غیرفعال',
  'status.failed': '⚠️ ناموفق',
  'traffic.unlimited': 'نامحدود',
  'devices.unlimited': 'نامحدود',
} satisfies Record<SubscriptionTextKey, string>;

const ru = {
  'delivery.readyTitle': '✅ <b>Ваша подписка готова</b>',
  'delivery.renewedTitle': '✅ <b>Ваша подписка продлена</b>',
  'delivery.link': '🔗 Ваша ссылка (нажмите, чтобы скопировать):',
  'delivery.expires': '📅 Действует до: {date}',
  'delivery.traffic': '📊 Трафик: {traffic}',
  'delivery.devices': '📱 Устройств: {devices}',
  'delivery.howTo': 'Добавьте ссылку (или отсканируйте QR-код) в своём VPN-приложении.',
  'delivery.qrCaption': 'QR-код ссылки на вашу подписку.',
  'subs.title': '📦 <b>Мои подписки</b>',
  'subs.none': 'У вас пока нет подписок.',
  'subs.item': '<b>{n}. {plan}</b> — {status}',
  'subs.usage': '📊 {used} из {limit}',
  'subs.usageUnlimited': '📊 израсходовано {used} (без ограничений)',
  'subs.expires': '📅 До {date}',
  'subs.expired': '📅 Закончилась {date}',
  'subs.link': '🔗 <code>{url}</code>',
  'subs.planFallback': 'Подписка',
  'subs.trial': 'Пробная',
  'status.active': '🟢 активна',
  'status.pending': '⏳ готовится',
  'status.expired': '🔴 истекла',
  'status.disabled': '⚪️ отключена',
  'status.failed': '⚠️ не удалась',
  'traffic.unlimited': 'без ограничений',
  'devices.unlimited': 'без ограничений',
} satisfies Record<SubscriptionTextKey, string>;

export const SUBSCRIPTION_TEXTS: Record<Language, Record<SubscriptionTextKey, string>> = { en, fa, ru };

/** Like `translate()`, for the subscription texts. */
export function subscriptionText(lang: Language, key: SubscriptionTextKey, vars: TextVars = {}): string {
  return fillTemplate(SUBSCRIPTION_TEXTS[lang][key] ?? SUBSCRIPTION_TEXTS.en[key], vars);
}
