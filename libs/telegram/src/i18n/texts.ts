import type { Language } from '@botfleet/catalog';

/**
 * Every text the bots say, in each language, in one place. English defines the keys; the other
 * languages must have exactly the same keys (the `satisfies` below fails to compile otherwise).
 * Texts are HTML; `{name}` placeholders are filled with escaped values by `translate()`.
 * To add a language: add it to LANGUAGES in libs/catalog and a block here.
 */
const en = {
  'language.name': 'English',
  'welcome.default': 'Hello, {name}! Welcome to <b>{shop}</b>.\nChoose what you need below.',
  'blocked.notice': 'Your access to this bot has been blocked by its administrators.',
  'menu.buy': '🛒 Buy a subscription',
  'menu.subscriptions': '📦 My subscriptions',
  'menu.wallet': '💰 Wallet',
  'menu.trial': '🎁 Free trial',
  'menu.promo': '🏷 Promo code',
  'menu.referral': '👥 Invite friends',
  'menu.support': '💬 Support',
  'menu.language': '🌐 Language',
  'menu.help': '❓ Help',
  'menu.back': '« Back to menu',
  'menu.hint': 'Use the menu below.',
  'language.choose': 'Choose your language:',
  'language.changed': 'Language set to English.',
  'help.title': '<b>Help</b>',
  'help.start': '/start — main menu',
  'help.lang': '/lang — change the language',
  'help.support': '/support — contact support',
  'help.help': '/help — this help',
  'support.title': '<b>Support</b>',
  'support.contact': 'Write to {contact}',
  'support.none': 'This shop has not published a support contact yet.',
  'common.unavailable': 'This is not available.',
  'common.error': 'Something went wrong. Please try again in a moment.',
  'owner.tokenInvalid':
    '⚠️ Your bot {bot} has stopped: Telegram no longer accepts its token (revoked or replaced in @BotFather).\nRegister the new token (PUT /v1/bots/{id}/telegram-token) to start it again.',
};

export type TextKey = keyof typeof en;

const fa = {
  'language.name': 'فارسی',
  'welcome.default': 'سلام {name}! به <b>{shop}</b> خوش آمدید.\nاز منوی زیر انتخاب کنید.',
  'blocked.notice': 'دسترسی شما به این ربات توسط مدیران آن مسدود شده است.',
  'menu.buy': '🛒 خرید اشتراک',
  'menu.subscriptions': '📦 اشتراک‌های من',
  'menu.wallet': '💰 کیف پول',
  'menu.trial': '🎁 اشتراک آزمایشی',
  'menu.promo': '🏷 کد تخفیف',
  'menu.referral': '👥 دعوت از دوستان',
  'menu.support': '💬 پشتیبانی',
  'menu.language': '🌐 زبان',
  'menu.help': '❓ راهنما',
  'menu.back': '« بازگشت به منو',
  'menu.hint': 'از منوی زیر استفاده کنید.',
  'language.choose': 'زبان خود را انتخاب کنید:',
  'language.changed': 'زبان به فارسی تغییر کرد.',
  'help.title': '<b>راهنما</b>',
  'help.start': '/start — منوی اصلی',
  'help.lang': '/lang — تغییر زبان',
  'help.support': '/support — تماس با پشتیبانی',
  'help.help': '/help — همین راهنما',
  'support.title': '<b>پشتیبانی</b>',
  'support.contact': 'به {contact} پیام دهید',
  'support.none': 'این فروشگاه هنوز راه ارتباطی پشتیبانی اعلام نکرده است.',
  'common.unavailable': 'این گزینه در دسترس نیست.',
  'common.error': 'مشکلی پیش آمد. لطفاً کمی بعد دوباره تلاش کنید.',
  'owner.tokenInvalid':
    '⚠️ ربات {bot} متوقف شد: تلگرام دیگر توکن آن را نمی‌پذیرد (در @BotFather باطل یا عوض شده است).\nبرای راه‌اندازی دوباره، توکن جدید را ثبت کنید (PUT /v1/bots/{id}/telegram-token).',
} satisfies Record<TextKey, string>;

const ru = {
  'language.name': 'Русский',
  'welcome.default': 'Здравствуйте, {name}! Добро пожаловать в <b>{shop}</b>.\nВыберите нужное ниже.',
  'blocked.notice': 'Администраторы этого бота закрыли вам доступ.',
  'menu.buy': '🛒 Купить подписку',
  'menu.subscriptions': '📦 Мои подписки',
  'menu.wallet': '💰 Кошелёк',
  'menu.trial': '🎁 Пробный период',
  'menu.promo': '🏷 Промокод',
  'menu.referral': '👥 Пригласить друзей',
  'menu.support': '💬 Поддержка',
  'menu.language': '🌐 Язык',
  'menu.help': '❓ Помощь',
  'menu.back': '« Назад в меню',
  'menu.hint': 'Воспользуйтесь меню ниже.',
  'language.choose': 'Выберите язык:',
  'language.changed': 'Язык изменён на русский.',
  'help.title': '<b>Помощь</b>',
  'help.start': '/start — главное меню',
  'help.lang': '/lang — сменить язык',
  'help.support': '/support — написать в поддержку',
  'help.help': '/help — эта справка',
  'support.title': '<b>Поддержка</b>',
  'support.contact': 'Напишите {contact}',
  'support.none': 'Этот магазин пока не указал контакт поддержки.',
  'common.unavailable': 'Это недоступно.',
  'common.error': 'Что-то пошло не так. Попробуйте ещё раз чуть позже.',
  'owner.tokenInvalid':
    '⚠️ Бот {bot} остановлен: Telegram больше не принимает его токен (отозван или заменён в @BotFather).\nЗарегистрируйте новый токен (PUT /v1/bots/{id}/telegram-token), чтобы запустить его снова.',
} satisfies Record<TextKey, string>;

export const TEXTS: Record<Language, Record<TextKey, string>> = { en, fa, ru };
