import { DEFAULT_CURRENCY } from '@botfleet/dal';
import { Schema } from './schema';
import { Language, LANGUAGES, Localized } from './languages';
import { DEFAULT_TIME_ZONE, TIME_ZONE_PATTERN } from './time-zone';

const localizedText = (maxLength: number): Schema => ({
  type: 'object',
  properties: Object.fromEntries(LANGUAGES.map((l) => [l, { type: 'string', maxLength, minLength: 1 } as Schema])),
});

/** Built-in screens a main-menu button may open (more appear as features are built). */
export const MENU_ACTIONS = [
  'buy',
  'subscriptions',
  'wallet',
  'trial',
  'promo',
  'referral',
  'support',
  'language',
  'help',
] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];

/** The `reminders` configuration (absent fields take the default's). */
export interface ReminderSettings {
  expiryDays?: number[];
  expired?: boolean;
  trafficPercents?: number[];
  texts?: { expiring?: Localized; expired?: Localized; traffic?: Localized };
}

export interface MenuButton {
  action?: MenuAction;
  url?: string;
  text?: Localized;
}

/** The typed per-bot configuration keys (issue 3 item 4): schema and default for each. */
export const CONFIGURATION_KEYS = {
  welcome_text: {
    description: 'Text shown above the main menu, per language. Empty means the built-in welcome.',
    schema: localizedText(3000),
    default: {} as Localized,
  },
  main_menu_buttons: {
    description:
      'Main menu rows, in order. Each button opens a built-in screen (action) or a link (url with text). ' +
      'Buttons whose feature is off or not built are hidden.',
    schema: {
      type: 'array',
      maxItems: 12,
      items: {
        type: 'array',
        minItems: 1,
        maxItems: 3,
        items: {
          type: 'object',
          properties: {
            action: { type: 'string', enum: MENU_ACTIONS, maxLength: 32 },
            url: { type: 'string', maxLength: 500, pattern: /^https:\/\/[^\s]+$/ },
            text: localizedText(64),
          },
        },
      },
    } as Schema,
    default: [
      [{ action: 'buy' }],
      [{ action: 'subscriptions' }, { action: 'wallet' }],
      [{ action: 'trial' }, { action: 'promo' }, { action: 'referral' }],
      [{ action: 'support' }, { action: 'language' }],
      [{ action: 'help' }],
    ] as MenuButton[][],
  },
  languages: {
    description: 'Languages the bot offers (subset of fa, en, ru).',
    schema: {
      type: 'array',
      items: { type: 'string', enum: LANGUAGES, maxLength: 2 },
      minItems: 1,
      maxItems: 3,
      unique: true,
    } as Schema,
    default: [...LANGUAGES] as Language[],
  },
  currency: {
    description: 'ISO 4217 code of the bot prices (minor units). Same value as the bot field `currency`.',
    schema: { type: 'string', maxLength: 3, pattern: /^[A-Z]{3}$/ } as Schema,
    default: DEFAULT_CURRENCY,
  },
  receipt_ttl_minutes: {
    description: 'Minutes a card-to-card payment waits for a receipt and review before it expires.',
    schema: { type: 'integer', minimum: 5, maximum: 1440 } as Schema,
    default: 30,
  },
  receipt_requires_photo: {
    description: 'Whether a card-to-card receipt must be a photo (false also accepts text).',
    schema: { type: 'boolean' } as Schema,
    default: true,
  },
  referral_commission_percent: {
    description: "Percent of a referred user's payments credited to the referrer's wallet.",
    schema: { type: 'integer', minimum: 0, maximum: 50 } as Schema,
    default: 10,
  },
  referral_commission_scope: {
    description:
      "Which of a referred user's purchases earn the referrer a commission: only the first paid one (first_purchase) " +
      'or every one (every_purchase).',
    schema: { type: 'string', enum: ['first_purchase', 'every_purchase'], maxLength: 20 } as Schema,
    default: 'first_purchase' as 'first_purchase' | 'every_purchase',
  },
  trial_plan_id: {
    description: 'The plan given as a free trial (once per user), or null.',
    schema: { type: 'uuid', nullable: true } as Schema,
    default: null as string | null,
  },
  wallet_topup_presets: {
    description:
      'Wallet top-up amounts offered as buttons (minor units), in order; the user may also type another amount ' +
      'within the wallet feature limits (minTopUpMinor, maxTopUpMinor).',
    schema: {
      type: 'array',
      maxItems: 8,
      unique: true,
      items: { type: 'integer', minimum: 1, maximum: 1_000_000_000_000 },
    } as Schema,
    default: [100_000, 200_000, 500_000, 1_000_000] as number[],
  },
  reminders: {
    description:
      'Reminders to customers (libs/growth/src/reminders): a message this many days before a subscription ends ' +
      '(expiryDays), one when it has ended (expired), one when its traffic reaches each percent (trafficPercents); ' +
      'texts per language replace the built-in ones: expiring ({days}, {plan}), expired ({plan}), traffic ({percent}, {plan}).',
    schema: {
      type: 'object',
      properties: {
        expiryDays: { type: 'array', maxItems: 5, unique: true, items: { type: 'integer', minimum: 1, maximum: 30 } },
        expired: { type: 'boolean' },
        trafficPercents: {
          type: 'array',
          maxItems: 5,
          unique: true,
          items: { type: 'integer', minimum: 50, maximum: 100 },
        },
        texts: {
          type: 'object',
          properties: { expiring: localizedText(1000), expired: localizedText(1000), traffic: localizedText(1000) },
        },
      },
    } as Schema,
    default: { expiryDays: [3, 1], expired: true, trafficPercents: [80, 100], texts: {} } as ReminderSettings,
  },
  support_text: {
    description: 'Extra text shown on the support screen, per language.',
    schema: localizedText(1000),
    default: {} as Localized,
  },
  time_zone: {
    description:
      'The IANA time zone of the shop\'s days (e.g. Asia/Tehran, Europe/Moscow, UTC): the stats\' days, "today" and ' +
      '"this month" (Solar Hijri months when the default language is fa) follow it.',
    schema: { type: 'string', minLength: 1, maxLength: 64, pattern: TIME_ZONE_PATTERN } as Schema,
    default: DEFAULT_TIME_ZONE as string,
  },
} as const;

export type ConfigurationKey = keyof typeof CONFIGURATION_KEYS;
export type ConfigurationValue<K extends ConfigurationKey> = (typeof CONFIGURATION_KEYS)[K]['default'] extends infer D
  ? D extends readonly (infer _)[]
    ? D
    : D
  : never;

export function isConfigurationKey(k: string): k is ConfigurationKey {
  return Object.prototype.hasOwnProperty.call(CONFIGURATION_KEYS, k);
}
