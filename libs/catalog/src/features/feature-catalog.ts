import { Schema } from '../settings/schema';

/** Crypto Pay's fiat currencies and payable assets (the cryptobot feature's config; libs/payments keeps the same lists). */
const CRYPTO_PAY_FIATS = [
  'USD', 'EUR', 'RUB', 'BYN', 'UAH', 'GBP', 'CNY', 'KZT', 'UZS', 'GEL',
  'TRY', 'AMD', 'THB', 'INR', 'BRL', 'IDR', 'AZN', 'AED', 'PLN', 'ILS',
] as const; // prettier-ignore
const CRYPTO_PAY_ASSETS = ['USDT', 'TON', 'BTC', 'ETH', 'LTC', 'BNB', 'TRX', 'USDC'] as const;

/**
 * The feature keys this product builds (seed 003 list, only those implemented or being built).
 * `enabledByDefault` applies when the tenant never set the flag; `allowedByDefault` when the
 * operator never decided.
 */
export const FEATURE_CATALOG = {
  card_to_card: {
    description: 'Card-to-card payments with receipt review.',
    enabledByDefault: true,
    allowedByDefault: true,
    config: { type: 'object', properties: { showBankName: { type: 'boolean' } } } as Schema,
  },
  zarinpal: {
    description: 'Zarinpal payments (merchant id per bot).',
    enabledByDefault: false,
    allowedByDefault: false,
    config: {
      type: 'object',
      properties: {
        merchantId: { type: 'string', minLength: 36, maxLength: 36, pattern: /^[0-9a-f-]{36}$/i },
        sandbox: { type: 'boolean' },
      },
    } as Schema,
    /** Encrypted at rest, never shown back (FeaturesService): `secretsSet` says it is there. */
    secretFields: ['merchantId'],
  },
  telegram_stars: {
    description: 'Telegram Stars (XTR) payments.',
    enabledByDefault: false,
    allowedByDefault: true,
    config: {
      type: 'object',
      properties: { starsPerUnit: { type: 'integer', minimum: 1, maximum: 1_000_000 } },
    } as Schema,
  },
  cryptobot: {
    description:
      'CryptoBot (Crypto Pay API) crypto payments: the API token of your Crypto Pay app (encrypted), testnet, ' +
      'and how order amounts become Crypto Pay fiat (the bot currency when Crypto Pay has it, else fiat + ' +
      'minorPerFiatUnit).',
    enabledByDefault: false,
    allowedByDefault: false,
    config: {
      type: 'object',
      properties: {
        apiToken: { type: 'string', minLength: 20, maxLength: 120, pattern: /^\d{1,12}:[A-Za-z0-9_-]{20,100}$/ },
        testnet: { type: 'boolean' },
        fiat: { type: 'string', maxLength: 3, enum: CRYPTO_PAY_FIATS },
        minorPerFiatUnit: { type: 'integer', minimum: 1, maximum: 1_000_000_000_000 },
        acceptedAssets: {
          type: 'array',
          items: { type: 'string', maxLength: 5, enum: CRYPTO_PAY_ASSETS },
          minItems: 1,
          maxItems: CRYPTO_PAY_ASSETS.length,
          unique: true,
        },
      },
    } as Schema,
    /** Encrypted at rest, never shown back (FeaturesService): `secretsSet` says it is there. */
    secretFields: ['apiToken'],
  },
  wallet: {
    description: 'End-user wallet: top-ups and paying from the balance.',
    enabledByDefault: true,
    allowedByDefault: true,
    config: {
      type: 'object',
      properties: {
        minTopUpMinor: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
        /** The largest single top-up (default 100,000,000 minor units). */
        maxTopUpMinor: { type: 'integer', minimum: 1, maximum: 1_000_000_000_000 },
      },
    } as Schema,
  },
  trial_subscription: {
    description: 'A free trial once per user (configuration trial_plan_id).',
    enabledByDefault: false,
    allowedByDefault: true,
    config: { type: 'object', properties: {} } as Schema,
  },
  auto_renewal: {
    description: 'Renew subscriptions from the wallet when they expire.',
    enabledByDefault: false,
    allowedByDefault: true,
    config: { type: 'object', properties: { daysBefore: { type: 'integer', minimum: 0, maximum: 7 } } } as Schema,
  },
  referral_program: {
    description: 'Referral links with commission into the wallet.',
    enabledByDefault: false,
    allowedByDefault: true,
    config: { type: 'object', properties: {} } as Schema,
  },
  promo_codes: {
    description: 'Promo codes (percent, fixed, extra days, balance).',
    enabledByDefault: false,
    allowedByDefault: true,
    config: { type: 'object', properties: {} } as Schema,
  },
  support_tickets: {
    description:
      'Support tickets answered in the admin chat. Config: per-customer limits against spam (defaults 5 messages a minute, 5 new tickets a day).',
    enabledByDefault: false,
    allowedByDefault: true,
    config: {
      type: 'object',
      properties: {
        messagesPerMinute: { type: 'integer', minimum: 1, maximum: 60 },
        ticketsPerDay: { type: 'integer', minimum: 1, maximum: 100 },
      },
    } as Schema,
  },
  broadcasts: {
    description: 'Broadcast messages to users.',
    enabledByDefault: true,
    allowedByDefault: true,
    config: { type: 'object', properties: {} } as Schema,
  },
} as const;

export type FeatureKey = keyof typeof FEATURE_CATALOG;

/**
 * The config fields of a feature that are secrets (a merchant id, an API token): FeaturesService encrypts them
 * (SecretBox) before they are stored, never returns them, and keeps a stored one when a new config leaves it out.
 */
export function secretFieldsOf(key: FeatureKey): readonly string[] {
  return (FEATURE_CATALOG[key] as { secretFields?: readonly string[] }).secretFields ?? [];
}

export function isFeatureKey(k: string): k is FeatureKey {
  return Object.prototype.hasOwnProperty.call(FEATURE_CATALOG, k);
}
