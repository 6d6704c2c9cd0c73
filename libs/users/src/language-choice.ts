import { isLanguage, Language } from '@botfleet/catalog';

/**
 * The language of a new user (PRODUCT.md C7): the one their Telegram client reports when the bot offers
 * it (`en-US` counts as `en`), else the bot's default; a default the bot no longer offers gives way to the
 * first offered language.
 */
export function chooseLanguage(
  telegramLanguageCode: string | undefined | null,
  offered: readonly Language[],
  botDefault: Language,
): Language {
  const base = telegramLanguageCode?.toLowerCase().split(/[-_]/)[0];
  if (isLanguage(base) && offered.includes(base)) return base;
  if (offered.length === 0 || offered.includes(botDefault)) return botDefault;
  return offered[0];
}
