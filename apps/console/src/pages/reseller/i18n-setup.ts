/** Words of the reseller's setup pages (namespace `setup`), fa / en / ru. */
export const setup = {
  en: {
    plans: 'Plans',
    cards: 'Payment cards',
    promo_codes: 'Promo codes',
    broadcasts: 'Broadcasts',
    tickets: 'Tickets',
    texts: 'Texts and menu',
    features: 'Features',
    settings: 'Settings',
  },
  fa: {
    plans: 'پلن‌ها',
    cards: 'کارت‌های بانکی',
    promo_codes: 'کدهای تخفیف',
    broadcasts: 'پیام همگانی',
    tickets: 'تیکت‌ها',
    texts: 'متن‌ها و منو',
    features: 'امکانات',
    settings: 'تنظیمات',
  },
  ru: {
    plans: 'Тарифы',
    cards: 'Карты для оплаты',
    promo_codes: 'Промокоды',
    broadcasts: 'Рассылки',
    tickets: 'Обращения',
    texts: 'Тексты и меню',
    features: 'Функции',
    settings: 'Настройки',
  },
};
