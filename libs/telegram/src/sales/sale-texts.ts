import type { Language } from '@botfleet/catalog';
import { fillTemplate, type TextVars } from '../i18n/translate';

/**
 * Texts of the purchase, card-to-card and receipt review, in each language (HTML; `{name}`
 * placeholders are filled with escaped values unless given as `{ html }`). English defines the keys;
 * the other languages must have the same keys (checked by `satisfies`).
 */
const en = {
  'buy.title': '🛒 <b>Choose a plan</b>',
  'buy.none': 'There are no plans for sale right now. Please check back later.',
  'buy.planButton': '{name} · {price} · {days} d',
  'buy.plan': '<b>{name}</b>\n💵 {price}\n📅 {days} days\n📊 Traffic: {traffic}\n📱 Devices: {devices}',
  'buy.renewOrNew': 'You already have a subscription. Renew it, or buy a new one?',
  'buy.renewButton': '🔄 Renew {label}',
  'buy.newButton': '➕ Buy a new subscription',
  'buy.methods': '<b>{name}</b> — {price}\nHow would you like to pay?',
  'buy.method.card': '💳 Card to card',
  'buy.method.wallet': '👛 From my wallet ({balance})',
  'buy.noMethods': 'No payment method is available right now. Please contact support.',
  'buy.shopCannotSell': 'Sorry, this shop cannot take orders at the moment. Please try again later.',
  'buy.orderClosed': 'This order is no longer open. Start again with /buy.',
  'buy.walletPaid': '✅ Paid from your wallet. Your subscription is being prepared…',
  'buy.walletShort': 'Your wallet balance ({balance}) does not cover {price}.',
  'card.title': '💳 <b>Card-to-card payment</b>',
  'card.body':
    'Transfer exactly <b>{amount}</b> to this card:\n\n<code>{card}</code>\n👤 {holder}{bank}\n\n' +
    '🔖 Tracking number: <code>{tracking}</code>\n⏰ Send the receipt before {expires}.',
  'card.sendPhoto': 'After paying, send a <b>photo of the receipt</b> here.',
  'card.bodyText': 'After paying, send a <b>photo of the receipt</b> (or its text) here.',
  'card.bank': '\n🏦 {bank}',
  'card.noCard': 'Card payment is not available right now. Please try again later or contact support.',
  'receipt.received':
    '📨 Receipt received for <code>{tracking}</code>. It is under review; we will tell you the result.',
  'receipt.needPhoto': 'Please send a <b>photo</b> of the receipt.',
  'receipt.none': 'There is no payment waiting for a receipt. Use /buy to order.',
  'receipt.approved': '✅ Your payment <code>{tracking}</code> was approved. Your subscription is being prepared…',
  'receipt.rejected':
    '❌ Your receipt for <code>{tracking}</code> was not accepted.\nReason: {reason}\n\nYou can send another receipt before {expires}.',
  'receipt.expired':
    '⌛ The payment <code>{tracking}</code> expired without a confirmed receipt. Use /buy to order again.',
  'fulfil.failed':
    '⚠️ We could not create your subscription. {amount} was returned to your wallet. Please contact support.',
  'review.title': '🧾 <b>New receipt</b> <code>{tracking}</code>',
  'review.body': '👤 {user}\n🆔 <code>{tgId}</code>\n📦 {plan}\n💵 {amount}\n💳 {card}\n⏰ Expires {expires}',
  'review.flagged': '⚠️ <b>This photo was already used on another receipt of this bot.</b>',
  'review.text': '📝 Receipt text: {text}',
  'review.approve': '✅ Approve',
  'review.reject': '❌ Reject',
  'review.reasonPrompt': 'Choose a reason for rejecting <code>{tracking}</code>:',
  'review.reasonTyped': '✍️ Type a reason',
  'review.back': '« Back',
  'review.typeReason': 'Reply to this message with the reason for rejecting {tracking}.',
  'review.approvedBy': '✅ Approved by {by}',
  'review.rejectedBy': '❌ Rejected by {by}: {reason}',
  'review.expired': '⌛ Expired without review',
  'review.onlyAdmins': 'Only the admins of this bot can review receipts.',
  'review.already': 'Someone else already reviewed this receipt.',
  'review.notFound': 'This payment does not exist here.',
  'review.done': 'Done.',
  'review.failedFulfil': '⚠️ Provisioning failed for order {order}; {amount} was refunded to the user.',
  'reason.amount': 'The amount does not match',
  'reason.unreadable': 'The receipt is not readable',
  'reason.notReceived': 'The payment was not received',
  'reason.duplicate': 'This receipt was already used',
  'owner.wholesaleLow': '⚠️ Your shop {bot} refused a sale: the wholesale wallet is too low. Please top it up.',
  'owner.noCard': '⚠️ Your shop {bot} has no usable payment card (inactive or over the daily limit).',
};

export type SaleTextKey = keyof typeof en;

const fa = {
  'buy.title': '🛒 <b>یک پلن انتخاب کنید</b>',
  'buy.none': 'در حال حاضر پلنی برای فروش نیست. لطفاً بعداً سر بزنید.',
  'buy.planButton': '{name} · {price} · {days} روز',
  'buy.plan': '<b>{name}</b>\n💵 {price}\n📅 {days} روز\n📊 ترافیک: {traffic}\n📱 دستگاه‌ها: {devices}',
  'buy.renewOrNew': 'شما اشتراک دارید. آن را تمدید می‌کنید یا اشتراک جدید می‌خرید؟',
  'buy.renewButton': '🔄 تمدید {label}',
  'buy.newButton': '➕ خرید اشتراک جدید',
  'buy.methods': '<b>{name}</b> — {price}\nچگونه پرداخت می‌کنید؟',
  'buy.method.card': '💳 کارت به کارت',
  'buy.method.wallet': '👛 از کیف پول ({balance})',
  'buy.noMethods': 'در حال حاضر روش پرداختی در دسترس نیست. لطفاً با پشتیبانی تماس بگیرید.',
  'buy.shopCannotSell': 'متأسفیم، این فروشگاه فعلاً سفارش نمی‌پذیرد. لطفاً بعداً تلاش کنید.',
  'buy.orderClosed': 'این سفارش دیگر باز نیست. با /buy دوباره شروع کنید.',
  'buy.walletPaid': '✅ از کیف پول پرداخت شد. اشتراک شما در حال آماده‌سازی است…',
  'buy.walletShort': 'موجودی کیف پول شما ({balance}) برای {price} کافی نیست.',
  'card.title': '💳 <b>پرداخت کارت به کارت</b>',
  'card.body':
    'دقیقاً <b>{amount}</b> به این کارت واریز کنید:\n\n<code>{card}</code>\n👤 {holder}{bank}\n\n' +
    '🔖 کد پیگیری: <code>{tracking}</code>\n⏰ رسید را پیش از {expires} بفرستید.',
  'card.sendPhoto': 'پس از پرداخت، <b>عکس رسید</b> را همین‌جا بفرستید.',
  'card.bodyText': 'پس از پرداخت، <b>عکس رسید</b> (یا متن آن) را همین‌جا بفرستید.',
  'card.bank': '\n🏦 {bank}',
  'card.noCard': 'پرداخت کارت به کارت فعلاً در دسترس نیست. لطفاً بعداً تلاش کنید یا با پشتیبانی تماس بگیرید.',
  'receipt.received': '📨 رسید برای <code>{tracking}</code> دریافت شد و در حال بررسی است؛ نتیجه را اطلاع می‌دهیم.',
  'receipt.needPhoto': 'لطفاً <b>عکس</b> رسید را بفرستید.',
  'receipt.none': 'پرداختی در انتظار رسید نیست. برای سفارش از /buy استفاده کنید.',
  'receipt.approved': '✅ پرداخت <code>{tracking}</code> تأیید شد. اشتراک شما در حال آماده‌سازی است…',
  'receipt.rejected':
    '❌ رسید <code>{tracking}</code> پذیرفته نشد.\nدلیل: {reason}\n\nمی‌توانید تا پیش از {expires} رسید دیگری بفرستید.',
  'receipt.expired':
    '⌛ مهلت پرداخت <code>{tracking}</code> بدون رسید تأییدشده تمام شد. برای سفارش دوباره از /buy استفاده کنید.',
  'fulfil.failed': '⚠️ ساخت اشتراک شما ممکن نشد. مبلغ {amount} به کیف پول شما برگشت. لطفاً با پشتیبانی تماس بگیرید.',
  'review.title': '🧾 <b>رسید جدید</b> <code>{tracking}</code>',
  'review.body': '👤 {user}\n🆔 <code>{tgId}</code>\n📦 {plan}\n💵 {amount}\n💳 {card}\n⏰ انقضا {expires}',
  'review.flagged': '⚠️ <b>این عکس پیش‌تر روی رسید دیگری از این ربات استفاده شده است.</b>',
  'review.text': '📝 متن رسید: {text}',
  'review.approve': '✅ تأیید',
  'review.reject': '❌ رد',
  'review.reasonPrompt': 'دلیل رد <code>{tracking}</code> را انتخاب کنید:',
  'review.reasonTyped': '✍️ نوشتن دلیل',
  'review.back': '« بازگشت',
  'review.typeReason': 'در پاسخ به همین پیام، دلیل رد {tracking} را بنویسید.',
  'review.approvedBy': '✅ تأیید توسط {by}',
  'review.rejectedBy': '❌ رد توسط {by}: {reason}',
  'review.expired': '⌛ بدون بررسی منقضی شد',
  'review.onlyAdmins': 'فقط مدیران این ربات می‌توانند رسیدها را بررسی کنند.',
  'review.already': 'این رسید قبلاً توسط شخص دیگری بررسی شده است.',
  'review.notFound': 'این پرداخت اینجا وجود ندارد.',
  'review.done': 'انجام شد.',
  'review.failedFulfil': '⚠️ ساخت اشتراک برای سفارش {order} ناموفق بود؛ {amount} به کاربر برگشت داده شد.',
  'reason.amount': 'مبلغ مطابقت ندارد',
  'reason.unreadable': 'رسید خوانا نیست',
  'reason.notReceived': 'مبلغ دریافت نشده است',
  'reason.duplicate': 'این رسید قبلاً استفاده شده است',
  'owner.wholesaleLow': '⚠️ فروشگاه {bot} یک فروش را رد کرد: موجودی کیف پول عمده‌فروشی کم است. لطفاً آن را شارژ کنید.',
  'owner.noCard': '⚠️ فروشگاه {bot} کارت قابل استفاده‌ای ندارد (غیرفعال یا بیش از سقف روزانه).',
} satisfies Record<SaleTextKey, string>;

const ru = {
  'buy.title': '🛒 <b>Выберите тариф</b>',
  'buy.none': 'Сейчас нет тарифов в продаже. Загляните позже.',
  'buy.planButton': '{name} · {price} · {days} дн.',
  'buy.plan': '<b>{name}</b>\n💵 {price}\n📅 {days} дн.\n📊 Трафик: {traffic}\n📱 Устройства: {devices}',
  'buy.renewOrNew': 'У вас уже есть подписка. Продлить её или купить новую?',
  'buy.renewButton': '🔄 Продлить {label}',
  'buy.newButton': '➕ Купить новую подписку',
  'buy.methods': '<b>{name}</b> — {price}\nКак вы хотите оплатить?',
  'buy.method.card': '💳 Перевод на карту',
  'buy.method.wallet': '👛 С баланса ({balance})',
  'buy.noMethods': 'Сейчас нет доступных способов оплаты. Обратитесь в поддержку.',
  'buy.shopCannotSell': 'Извините, магазин сейчас не принимает заказы. Попробуйте позже.',
  'buy.orderClosed': 'Этот заказ уже закрыт. Начните заново с /buy.',
  'buy.walletPaid': '✅ Оплачено с баланса. Подписка готовится…',
  'buy.walletShort': 'Вашего баланса ({balance}) не хватает на {price}.',
  'card.title': '💳 <b>Оплата переводом на карту</b>',
  'card.body':
    'Переведите ровно <b>{amount}</b> на эту карту:\n\n<code>{card}</code>\n👤 {holder}{bank}\n\n' +
    '🔖 Номер платежа: <code>{tracking}</code>\n⏰ Отправьте чек до {expires}.',
  'card.sendPhoto': 'После оплаты пришлите сюда <b>фото чека</b>.',
  'card.bodyText': 'После оплаты пришлите сюда <b>фото чека</b> (или его текст).',
  'card.bank': '\n🏦 {bank}',
  'card.noCard': 'Оплата на карту сейчас недоступна. Попробуйте позже или обратитесь в поддержку.',
  'receipt.received': '📨 Чек по платежу <code>{tracking}</code> получен и проверяется; мы сообщим результат.',
  'receipt.needPhoto': 'Пожалуйста, пришлите <b>фото</b> чека.',
  'receipt.none': 'Нет платежа, ожидающего чек. Оформите заказ через /buy.',
  'receipt.approved': '✅ Платёж <code>{tracking}</code> подтверждён. Подписка готовится…',
  'receipt.rejected':
    '❌ Чек по платежу <code>{tracking}</code> не принят.\nПричина: {reason}\n\nМожно прислать другой чек до {expires}.',
  'receipt.expired':
    '⌛ Срок платежа <code>{tracking}</code> истёк без подтверждённого чека. Оформите заказ заново через /buy.',
  'fulfil.failed': '⚠️ Не удалось создать подписку. {amount} возвращено на ваш баланс. Обратитесь в поддержку.',
  'review.title': '🧾 <b>Новый чек</b> <code>{tracking}</code>',
  'review.body': '👤 {user}\n🆔 <code>{tgId}</code>\n📦 {plan}\n💵 {amount}\n💳 {card}\n⏰ Истекает {expires}',
  'review.flagged': '⚠️ <b>Это фото уже использовалось в другом чеке этого бота.</b>',
  'review.text': '📝 Текст чека: {text}',
  'review.approve': '✅ Подтвердить',
  'review.reject': '❌ Отклонить',
  'review.reasonPrompt': 'Выберите причину отказа по <code>{tracking}</code>:',
  'review.reasonTyped': '✍️ Написать причину',
  'review.back': '« Назад',
  'review.typeReason': 'Ответьте на это сообщение причиной отказа по {tracking}.',
  'review.approvedBy': '✅ Подтвердил(а) {by}',
  'review.rejectedBy': '❌ Отклонил(а) {by}: {reason}',
  'review.expired': '⌛ Истёк без проверки',
  'review.onlyAdmins': 'Проверять чеки могут только администраторы этого бота.',
  'review.already': 'Этот чек уже проверил кто-то другой.',
  'review.notFound': 'Такого платежа здесь нет.',
  'review.done': 'Готово.',
  'review.failedFulfil': '⚠️ Не удалось создать подписку по заказу {order}; {amount} возвращено пользователю.',
  'reason.amount': 'Сумма не совпадает',
  'reason.unreadable': 'Чек нечитаемый',
  'reason.notReceived': 'Платёж не поступил',
  'reason.duplicate': 'Этот чек уже использовался',
  'owner.wholesaleLow':
    '⚠️ Ваш магазин {bot} отказал в продаже: на оптовом балансе недостаточно средств. Пополните его.',
  'owner.noCard': '⚠️ У вашего магазина {bot} нет доступной карты (неактивна или превышен дневной лимит).',
} satisfies Record<SaleTextKey, string>;

const SALE_TEXTS: Record<Language, Record<SaleTextKey, string>> = { en, fa, ru };

export const REJECTION_PRESETS: readonly SaleTextKey[] = [
  'reason.amount',
  'reason.unreadable',
  'reason.notReceived',
  'reason.duplicate',
];

export function saleText(lang: Language, key: SaleTextKey, vars: TextVars = {}): string {
  return fillTemplate(SALE_TEXTS[lang][key] ?? SALE_TEXTS.en[key], vars);
}
