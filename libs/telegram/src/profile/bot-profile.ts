import type { FeatureKey, Language, Localized, MenuButton } from '@botfleet/catalog';

/** What the conversation needs to know about the bot it runs for: settings, texts, buttons, features. */
export interface BotProfile {
  botId: string;
  name: string;
  username: string;
  isMaster: boolean;
  ownerTelegramId: number;
  defaultLanguage: Language;
  supportUsername: string | null;
  /** Languages the bot offers (configuration `languages`). */
  languages: Language[];
  welcomeText: Localized;
  supportText: Localized;
  menuButtons: MenuButton[][];
  /** Features that are both allowed by the operator and enabled by the tenant. */
  features: ReadonlySet<FeatureKey>;
  /**
   * Telegram ids of the bot's admins, any role: lets the conversation skip admin work for everyone else at no
   * cost. Never authority — the role is read again (AdminAccessService) before anything is shown or done.
   */
  adminTelegramIds?: ReadonlySet<number>;
}
