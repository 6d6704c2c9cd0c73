import type { FeatureKey, Language, MenuAction, MenuButton } from '@botfleet/catalog';
import type { BotProfile } from '../profile/bot-profile';

/** What decides whether a main-menu button can be shown. */
export interface MenuEnvironment {
  features: ReadonlySet<FeatureKey>;
  languages: readonly Language[];
  hasSupportContact: boolean;
}

/**
 * The single place that says which menu actions lead somewhere (PRODUCT.md C7: no button that leads
 * nowhere). An action is shown only when its screen is built and its feature is on. The trial
 * (libs/telegram/src/growth/trial*) shows with `trial_subscription`; promo and referral turn their line into
 * the real condition when their screens land, e.g. `promo: (env) => env.features.has('promo_codes')`.
 */
export const MENU_ACTION_AVAILABILITY: Record<MenuAction, (env: MenuEnvironment) => boolean> = {
  buy: (env) => env.features.has('card_to_card') || env.features.has('wallet'),
  // Always: the screen lists what the user has, or says there is nothing yet.
  subscriptions: () => true,
  wallet: (env) => env.features.has('wallet'),
  trial: (env) => env.features.has('trial_subscription'),
  promo: (env) => env.features.has('promo_codes'),
  referral: (env) => env.features.has('referral_program'),
  // A contact to write to, or tickets (libs/telegram/src/support).
  support: (env) => env.hasSupportContact || env.features.has('support_tickets'),
  language: (env) => env.languages.length > 1,
  help: () => true,
};

export function isMenuActionAvailable(action: MenuAction, env: MenuEnvironment): boolean {
  const rule = MENU_ACTION_AVAILABILITY[action];
  return rule ? rule(env) : false;
}

export function menuEnvironment(profile: BotProfile): MenuEnvironment {
  return {
    features: profile.features,
    languages: profile.languages,
    hasSupportContact:
      !!profile.supportUsername || Object.values(profile.supportText).some((t) => !!t && t.trim() !== ''),
  };
}

/**
 * The tenant's menu rows with every button that cannot work removed: unavailable actions, links without
 * a label, buttons with neither action nor link. Empty rows disappear.
 */
export function visibleMenuButtons(rows: readonly MenuButton[][], env: MenuEnvironment): MenuButton[][] {
  const out: MenuButton[][] = [];
  for (const row of rows) {
    const kept = row.filter((b) => {
      if (b.action) return isMenuActionAvailable(b.action, env);
      if (b.url) return !!b.text && Object.values(b.text).some((t) => !!t);
      return false;
    });
    if (kept.length) out.push(kept);
  }
  return out;
}
