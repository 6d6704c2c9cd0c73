import { isIP } from 'node:net';
import type { InlineKeyboardButton } from 'telegraf/types';
import type { Language } from '@botfleet/catalog';
import type { Screen } from '../context/bot-context';
import { translate } from '../i18n/translate';
import { buttonLabel } from '../text/html';

/** The "Open the web console" button (prefix `wc:`), in a tenant bot's /admin and the master bot's console. */
export const ConsoleLinkCallbacks = { open: () => 'wc:o' };

export const isConsoleLinkCallback = (data: string | undefined): boolean => data === ConsoleLinkCallbacks.open();

export function consoleLinkButton(lang: Language): InlineKeyboardButton {
  return { text: buttonLabel(translate(lang, 'wc.btn.open')), callback_data: ConsoleLinkCallbacks.open() };
}

/**
 * Telegram refuses URL buttons to localhost and bare IP addresses (a development PUBLIC_BASE_URL): the link then
 * goes in the text instead.
 */
function buttonAccepts(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host.includes('.') && !isIP(host) && host !== 'localhost';
  } catch {
    return false;
  }
}

/** The message with the one-time sign-in link: a URL button, or the link itself where a button cannot hold it. */
export function consoleLinkScreen(lang: Language, url: string, ttlSeconds: number): Screen {
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  const text = translate(lang, 'wc.link', { minutes });
  if (buttonAccepts(url)) {
    return { text, keyboard: [[{ text: buttonLabel(translate(lang, 'wc.btn.signIn')), url }]] };
  }
  return { text: `${text}\n\n<code>${url.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>`, keyboard: [] };
}
