import { CONFIGURATION_KEYS, FeatureKey } from '@botfleet/catalog';
import { isMenuActionAvailable, MenuEnvironment, visibleMenuButtons } from './menu-actions';

const env = (over: Partial<MenuEnvironment> = {}): MenuEnvironment => ({
  features: new Set<FeatureKey>(['card_to_card', 'wallet']),
  languages: ['fa', 'en', 'ru'],
  hasSupportContact: true,
  ...over,
});

describe('main menu filter', () => {
  it('shows promo codes and referrals exactly when their features are on', () => {
    for (const [a, feature] of [
      ['promo', 'promo_codes'],
      ['referral', 'referral_program'],
    ] as const) {
      expect({ a, shown: isMenuActionAvailable(a, env()) }).toEqual({ a, shown: false });
      const on = env({ features: new Set<FeatureKey>(['card_to_card', feature]) });
      expect({ a, shown: isMenuActionAvailable(a, on) }).toEqual({ a, shown: true });
    }
    const both = env({ features: new Set<FeatureKey>(['card_to_card', 'promo_codes', 'referral_program']) });
    expect(visibleMenuButtons(CONFIGURATION_KEYS.main_menu_buttons.default, both)).toContainEqual([
      { action: 'promo' },
      { action: 'referral' },
    ]);
  });

  it('shows the trial exactly when its feature is on', () => {
    expect(isMenuActionAvailable('trial', env())).toBe(false);
    const on = env({ features: new Set<FeatureKey>(['trial_subscription']) });
    expect(isMenuActionAvailable('trial', on)).toBe(true);
    expect(visibleMenuButtons(CONFIGURATION_KEYS.main_menu_buttons.default, on)).toContainEqual([{ action: 'trial' }]);
  });

  it('shows the wallet exactly when its feature is on', () => {
    expect(isMenuActionAvailable('wallet', env())).toBe(true);
    expect(isMenuActionAvailable('wallet', env({ features: new Set<FeatureKey>(['card_to_card']) }))).toBe(false);
  });

  it('shows buy only when some way to pay is on', () => {
    expect(isMenuActionAvailable('buy', env())).toBe(true);
    expect(isMenuActionAvailable('buy', env({ features: new Set<FeatureKey>(['wallet']) }))).toBe(true);
    expect(isMenuActionAvailable('buy', env({ features: new Set<FeatureKey>(['referral_program']) }))).toBe(false);
  });

  it('always shows the subscriptions screen (it says so when there is nothing to list)', () => {
    expect(isMenuActionAvailable('subscriptions', env({ features: new Set() }))).toBe(true);
  });

  it('shows support only with a contact and language only with a choice', () => {
    expect(isMenuActionAvailable('support', env({ hasSupportContact: false }))).toBe(false);
    expect(isMenuActionAvailable('language', env({ languages: ['fa'] }))).toBe(false);
    expect(isMenuActionAvailable('help', env())).toBe(true);
  });

  it('the default menu keeps only working buttons and drops emptied rows', () => {
    const rows = visibleMenuButtons(CONFIGURATION_KEYS.main_menu_buttons.default, env());
    expect(rows).toEqual([
      [{ action: 'buy' }],
      [{ action: 'subscriptions' }, { action: 'wallet' }],
      [{ action: 'support' }, { action: 'language' }],
      [{ action: 'help' }],
    ]);
  });

  it('keeps links with a label, drops links without one and buttons with neither action nor link', () => {
    const rows = visibleMenuButtons(
      [[{ url: 'https://example.com', text: { en: 'Site' } }, { url: 'https://x.example' }, {}]],
      env(),
    );
    expect(rows).toEqual([[{ url: 'https://example.com', text: { en: 'Site' } }]]);
  });
});
