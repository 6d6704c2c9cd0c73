import { Injectable } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { AdminAccessService, AdminPermission, assertCurrencyMayChange } from '@botfleet/bots';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import {
  BotSelfRepository,
  ConfigurationRepository,
  PlanRepository,
  TenantDb,
  TenantRepositories,
} from '@botfleet/dal';
import { CONFIGURATION_KEYS, ConfigurationKey, isConfigurationKey } from './configuration-keys';
import { describeSchema, Schema, validateSchema } from './schema';
import { isLanguage, LANGUAGES, Localized } from './languages';
import { isIntlTimeZone } from './time-zone';

/** The keys whose value is a text per language ({ en, fa, ru }): one language of them may be saved alone. */
export const TRANSLATED_KEYS = ['welcome_text', 'support_text'] as const;
export type TranslatedKey = (typeof TRANSLATED_KEYS)[number];
export function isTranslatedKey(key: string): key is TranslatedKey {
  return (TRANSLATED_KEYS as readonly string[]).includes(key);
}

export interface ConfigurationView {
  key: ConfigurationKey;
  value: unknown;
  default: unknown;
  isDefault: boolean;
  description: string;
  schema: unknown;
}

type DefaultOf<K extends ConfigurationKey> = (typeof CONFIGURATION_KEYS)[K]['default'];

/**
 * Typed per-bot configuration (bot_configurations). `currency` is the bot's own column, so
 * there is exactly one place it lives.
 */
@Injectable()
export class ConfigurationsService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly stored: ConfigurationRepository,
    private readonly plans: PlanRepository,
    private readonly botSelf: BotSelfRepository,
    private readonly audit: AuditService,
    private readonly access: AdminAccessService,
  ) {}

  assertKey(key: string): asserts key is ConfigurationKey {
    if (!isConfigurationKey(key)) throw new DomainError(ErrorCode.NOT_FOUND, `Unknown configuration key ${key}`);
  }

  async get<K extends ConfigurationKey>(botId: string, key: K): Promise<DefaultOf<K>> {
    if (key === 'currency') return (await this.botSelf.currency(botId)) as DefaultOf<K>;
    const row = await this.repos.configurations.findOne(botId, { configKey: key });
    return (row ? row.configValue : CONFIGURATION_KEYS[key].default) as DefaultOf<K>;
  }

  async list(botId: string): Promise<ConfigurationView[]> {
    const rows = await this.repos.configurations.find(botId);
    const stored = new Map(rows.map((r) => [r.configKey, r.configValue]));
    const bot = await this.botSelf.get(botId);
    if (bot) stored.set('currency', bot.currency);
    return (Object.keys(CONFIGURATION_KEYS) as ConfigurationKey[]).map((key) => {
      const def = CONFIGURATION_KEYS[key];
      const has = stored.has(key) && !(key === 'currency' && stored.get(key) === def.default);
      return {
        key,
        value: has ? stored.get(key) : def.default,
        default: def.default,
        isDefault: !has,
        description: def.description,
        schema: describeSchema(def.schema),
      };
    });
  }

  /** One key as in `list`. */
  async describe(botId: string, key: string): Promise<ConfigurationView> {
    this.assertKey(key);
    return (await this.list(botId)).find((v) => v.key === key)!;
  }

  /**
   * Validates against the key's schema and the rules across keys; a bad value changes nothing.
   * Rules: `languages` must include the bot's default language; `time_zone` must be a zone both Intl and
   * PostgreSQL know; `trial_plan_id` must name a plan
   * of this bot (404 otherwise) and is mirrored in bot_plans.is_trial (one trial plan per bot).
   * With `actor`, the change is audited in the same transaction. Returns the stored value.
   */
  async set(
    botId: string,
    key: string,
    value: unknown,
    extraCheck?: (key: ConfigurationKey, value: unknown) => Promise<void>,
    actor?: Actor,
  ): Promise<unknown> {
    this.assertKey(key);
    const problems = validateSchema(CONFIGURATION_KEYS[key].schema, value, 'value');
    if (problems.length) throw new DomainError(ErrorCode.VALIDATION_FAILED, `Invalid value for ${key}`, problems);
    return this.db.run(botId, async () => {
      if (actor) await this.access.authorize(botId, actor, permissionFor(key));
      // A whole text and one language of it saved at the same moment (setTranslation) go one at a time. Only the
      // texts: trial_plan_id is set inside plan transactions, where a lock taken here could deadlock.
      if (isTranslatedKey(key)) await this.stored.lockKey(botId, key);
      await this.checkRules(botId, key, value);
      if (extraCheck) await extraCheck(key, value);
      const before = actor ? await this.get(botId, key) : undefined;
      if (key === 'currency') {
        await assertCurrencyMayChange(this.botSelf, botId, value as string);
        await this.botSelf.update(botId, { currency: value as string });
      } else {
        await this.stored.upsert(botId, key, value);
      }
      if (key === 'trial_plan_id') await this.mirrorTrialPlan(botId, value as string | null);
      if (actor) {
        await this.audit.record(botId, {
          actor,
          action: 'configuration.set',
          targetType: 'configuration',
          targetId: key,
          before: { value: before },
          after: { value },
        });
      }
      return value;
    });
  }

  /**
   * One language's text of a per-language key (the welcome, the support text), the other languages kept: read and
   * written in one transaction under the key's lock, validated and audited like `set`. `null` removes the language
   * (the bot falls back to its built-in text there). Any of the platform's languages may be set, spoken by the shop
   * or not yet (a text prepared before the language is turned on), as with `set`. A bad key is a 404 (unknown) or a
   * 400 naming `key` (not per-language); a bad language a 400 naming `lang`; a bad text a 400 naming `value`; none
   * changes anything.
   */
  async setTranslation(
    botId: string,
    key: string,
    lang: string,
    value: string | null,
    actor?: Actor,
  ): Promise<Localized> {
    this.assertKey(key);
    if (!isTranslatedKey(key)) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, `${key} is not a per-language text`, [
        { field: 'key', errors: [`must be a per-language key: ${TRANSLATED_KEYS.join(', ')}`] },
      ]);
    }
    if (!isLanguage(lang)) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, `Unknown language ${lang}`, [
        { field: 'lang', errors: [`must be one of ${LANGUAGES.join(', ')}`] },
      ]);
    }
    if (value !== null) {
      const schema = (CONFIGURATION_KEYS[key].schema as { properties: Record<string, Schema> }).properties[lang];
      const problems = validateSchema(schema, value, 'value');
      if (!problems.length && typeof value === 'string' && !value.trim()) {
        problems.push({ field: 'value', errors: ['must not be blank (removing the language is DELETE)'] });
      }
      if (problems.length) throw new DomainError(ErrorCode.VALIDATION_FAILED, `Invalid value for ${key}`, problems);
    }
    return this.db.run(botId, async () => {
      if (actor) await this.access.authorize(botId, actor, permissionFor(key));
      // Another language of the same text may be saved at the same moment (the bot and the console): one at a time,
      // each reading what the other wrote.
      await this.stored.lockKey(botId, key);
      const next: Localized = { ...(await this.get(botId, key)) };
      if (value === null) delete next[lang];
      else next[lang] = value;
      await this.set(botId, key, next, undefined, actor);
      return next;
    });
  }

  /** Restores the default (DELETE). With `actor`, audited in the same transaction. */
  async reset(botId: string, key: string, actor?: Actor): Promise<unknown> {
    this.assertKey(key);
    return this.db.run(botId, async () => {
      if (actor) await this.access.authorize(botId, actor, permissionFor(key));
      // Not between setTranslation's read and its write (which would bring the old languages back).
      if (isTranslatedKey(key)) await this.stored.lockKey(botId, key);
      const before = actor ? await this.get(botId, key) : undefined;
      if (key === 'currency') {
        await assertCurrencyMayChange(this.botSelf, botId, CONFIGURATION_KEYS.currency.default);
        await this.botSelf.update(botId, { currency: CONFIGURATION_KEYS.currency.default });
      } else {
        await this.repos.configurations.delete(botId, { configKey: key });
      }
      if (key === 'trial_plan_id') await this.mirrorTrialPlan(botId, null);
      if (actor) {
        await this.audit.record(botId, {
          actor,
          action: 'configuration.reset',
          targetType: 'configuration',
          targetId: key,
          before: { value: before },
          after: { value: CONFIGURATION_KEYS[key].default },
        });
      }
      return CONFIGURATION_KEYS[key].default;
    });
  }

  private async checkRules(botId: string, key: ConfigurationKey, value: unknown): Promise<void> {
    if (key === 'languages') {
      const bot = await this.botSelf.get(botId);
      if (bot && !(value as string[]).includes(bot.defaultLanguage)) {
        throw new DomainError(ErrorCode.VALIDATION_FAILED, `Invalid value for ${key}`, [
          { field: 'value', errors: [`must include the bot's default language (${bot.defaultLanguage})`] },
        ]);
      }
    }
    if (key === 'time_zone') {
      // The stats group days with PostgreSQL's AT TIME ZONE and the bot finds "today" with Intl: both must know it.
      const zone = value as string;
      if (!isIntlTimeZone(zone) || !(await this.stored.isKnownTimeZone(botId, zone))) {
        throw new DomainError(ErrorCode.VALIDATION_FAILED, `Invalid value for ${key}`, [
          {
            field: 'value',
            errors: [`"${zone}" is not a known IANA time zone name (such as Asia/Tehran, Europe/Moscow or UTC)`],
          },
        ]);
      }
    }
    if (key === 'trial_plan_id' && value !== null) {
      const plan = await this.repos.plans.findById(botId, value as string);
      if (!plan || plan.deletedAt) {
        throw new DomainError(ErrorCode.NOT_FOUND, 'Plan not found', [
          { field: 'value', errors: ['must be the id of a plan of this bot'] },
        ]);
      }
    }
  }

  /** bot_plans.is_trial follows trial_plan_id: true on that plan only. */
  private async mirrorTrialPlan(botId: string, planId: string | null): Promise<void> {
    await this.plans.markTrialPlan(botId, planId);
  }
}

/** The shop's texts are the `texts` permission (admins may edit them); every other key is the owner's `settings`. */
function permissionFor(key: ConfigurationKey): AdminPermission {
  return isTranslatedKey(key) ? 'texts' : 'settings';
}
