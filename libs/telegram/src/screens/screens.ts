import type { InlineKeyboardButton } from 'telegraf/types';
import { Language, LANGUAGES, Localized, MenuAction, MenuButton } from '@botfleet/catalog';
import type { Screen } from '../context/bot-context';
import { TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import { isMenuActionAvailable, menuEnvironment, visibleMenuButtons } from '../menu/menu-actions';
import type { BotProfile } from '../profile/bot-profile';
import { buttonLabel, fitHtml, plain, plainBlock, TELEGRAM_LIMITS } from '../text/html';
import { CallbackData } from './callback-data';

const MENU_LABEL: Record<MenuAction, TextKey> = {
  buy: 'menu.buy',
  subscriptions: 'menu.subscriptions',
  wallet: 'menu.wallet',
  trial: 'menu.trial',
  promo: 'menu.promo',
  referral: 'menu.referral',
  support: 'menu.support',
  language: 'menu.language',
  help: 'menu.help',
};

/** A tenant's text in `lang`, else nothing (the caller falls back to our own text in that language). */
function localized(text: Localized, lang: Language): string | undefined {
  const v = text[lang];
  return v && v.trim() !== '' ? v : undefined;
}

/** Labels are plain text (no parse mode): cleaned and fitted (buttonLabel). A link's label falls back to any language. */
function buttonOf(b: MenuButton, lang: Language): InlineKeyboardButton | null {
  const own = b.text ? localized(b.text, lang) : undefined;
  if (b.action) {
    const ours = translate(lang, MENU_LABEL[b.action]);
    return { text: own ? buttonLabel(own, ours) : ours, callback_data: CallbackData.menu(b.action) };
  }
  if (b.url) {
    const label = own ?? (b.text ? Object.values(b.text).find((t) => !!t && t.trim() !== '') : undefined);
    return label ? { text: buttonLabel(label), url: b.url } : null;
  }
  return null;
}

const backRow = (lang: Language): InlineKeyboardButton[] => [
  { text: translate(lang, 'menu.back'), callback_data: CallbackData.menu('home') },
];

/** The main menu: the tenant's welcome text (escaped) and only the buttons that work. */
export function mainMenuScreen(profile: BotProfile, lang: Language, userName: string | null): Screen {
  const own = localized(profile.welcomeText, lang);
  const text = own
    ? fitHtml(plainBlock(own, 3000), TELEGRAM_LIMITS.messageText)
    : translate(lang, 'welcome.default', {
        name: { html: plain(userName ?? '', 64) || '👋' },
        shop: { html: plain(profile.name, 100) },
      });
  const keyboard = visibleMenuButtons(profile.menuButtons, menuEnvironment(profile))
    .map((row) => row.map((b) => buttonOf(b, lang)).filter((b): b is InlineKeyboardButton => b !== null))
    .filter((row) => row.length > 0);
  return { text, keyboard };
}

export function languageScreen(profile: BotProfile, lang: Language): Screen {
  const offered = LANGUAGES.filter((l) => profile.languages.includes(l));
  return {
    text: translate(lang, 'language.choose'),
    keyboard: [
      offered.map((l) => ({ text: translate(l, 'language.name'), callback_data: CallbackData.language(l) })),
      backRow(lang),
    ],
  };
}

export function helpScreen(profile: BotProfile, lang: Language): Screen {
  const env = menuEnvironment(profile);
  const lines = [translate(lang, 'help.title'), '', translate(lang, 'help.start')];
  // Every command this bot answers, each only when its feature is on (admins get their own lines after these).
  const byFeature: [MenuAction, TextKey][] = [
    ['buy', 'help.buy'],
    ['subscriptions', 'help.subs'],
    ['wallet', 'help.wallet'],
    ['trial', 'help.trial'],
    ['promo', 'help.promo'],
    ['referral', 'help.ref'],
  ];
  for (const [action, line] of byFeature) if (isMenuActionAvailable(action, env)) lines.push(translate(lang, line));
  if (isMenuActionAvailable('language', env)) lines.push(translate(lang, 'help.lang'));
  if (isMenuActionAvailable('support', env)) lines.push(translate(lang, 'help.support'));
  lines.push(translate(lang, 'help.help'));
  return { text: lines.join('\n'), keyboard: [backRow(lang)] };
}

const USERNAME = /^@?([A-Za-z][A-Za-z0-9_]{3,31})$/;

/** `actions`: rows above "Back" (the tickets' buttons); with them, a shop without a contact is not "no support". */
export function supportScreen(profile: BotProfile, lang: Language, actions: InlineKeyboardButton[][] = []): Screen {
  const lines = [translate(lang, 'support.title'), ''];
  const note = localized(profile.supportText, lang);
  if (note) lines.push(plainBlock(note, 1000));
  const m = profile.supportUsername ? USERNAME.exec(profile.supportUsername.trim()) : null;
  if (m) lines.push(translate(lang, 'support.contact', { contact: `@${m[1]}` }));
  else if (profile.supportUsername)
    lines.push(translate(lang, 'support.contact', { contact: { html: plain(profile.supportUsername, 64) } }));
  if (!note && !profile.supportUsername && !actions.length) lines.push(translate(lang, 'support.none'));
  return { text: lines.join('\n'), keyboard: [...actions, backRow(lang)] };
}
