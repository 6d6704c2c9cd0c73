import { Injectable } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { FeatureFlagRepository, TenantDb, TenantRepositories } from '@botfleet/dal';
import { SecretBox } from '@botfleet/secrets';
import { describeSchema, validateSchema } from '../settings/schema';
import { FEATURE_CATALOG, FeatureKey, isFeatureKey, secretFieldsOf } from './feature-catalog';

export interface FeatureView {
  key: FeatureKey;
  description: string;
  enabled: boolean;
  allowed: boolean;
  /** The config without its secret fields (those are never shown back). */
  config: Record<string, unknown>;
  /** The secret config fields that are set (stored encrypted), e.g. `['merchantId']`. */
  secretsSet: string[];
  configSchema: unknown;
}

/** Associated data of a feature config secret: the flag row (bot, key) and the field. */
/** The associated data of a feature's secret field: the ciphertext only opens for that bot, feature and field. */
export const featureSecretAd = (botId: string, key: string, field: string) => `feature:${botId}:${key}:${field}`;
const secretAd = featureSecretAd;

/**
 * Feature flags per bot. The operator decides which keys a bot may enable (feature_allowances);
 * a feature is effectively on only when it is both allowed and enabled.
 */
@Injectable()
export class FeaturesService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly flags: FeatureFlagRepository,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
  ) {}

  assertKey(key: string): asserts key is FeatureKey {
    if (!isFeatureKey(key)) throw new DomainError(ErrorCode.NOT_FOUND, `Unknown feature ${key}`);
  }

  async list(botId: string): Promise<FeatureView[]> {
    const [flags, allowances] = await Promise.all([
      this.repos.featureFlags.find(botId),
      this.repos.featureAllowances.find(botId),
    ]);
    const flag = new Map(flags.map((f) => [f.featureKey, f]));
    const allow = new Map(allowances.map((a) => [a.featureKey, a.allowed]));
    return (Object.keys(FEATURE_CATALOG) as FeatureKey[]).map((key) => {
      const def = FEATURE_CATALOG[key];
      const allowed = allow.get(key) ?? def.allowedByDefault;
      const f = flag.get(key);
      const secrets = secretFieldsOf(key);
      const stored = f?.config ?? {};
      return {
        key,
        description: def.description,
        allowed,
        enabled: allowed && (f ? f.enabled : def.enabledByDefault),
        config: Object.fromEntries(Object.entries(stored).filter(([k]) => !secrets.includes(k))),
        secretsSet: secrets.filter((k) => typeof stored[k] === 'string'),
        configSchema: describeSchema(def.config),
      };
    });
  }

  async get(botId: string, key: string): Promise<FeatureView> {
    this.assertKey(key);
    return (await this.list(botId)).find((f) => f.key === key)!;
  }

  async isEnabled(botId: string, key: FeatureKey): Promise<boolean> {
    return (await this.get(botId, key)).enabled;
  }

  /** Which catalogue features are on, in one read (for building menus). */
  async enabledSet(botId: string): Promise<Set<FeatureKey>> {
    return new Set((await this.list(botId)).filter((f) => f.enabled).map((f) => f.key));
  }

  /** The tenant's switch. With `actor`, the change is audited in the same transaction. */
  async set(botId: string, key: string, enabled: boolean, config?: unknown, actor?: Actor): Promise<FeatureView> {
    this.assertKey(key);
    if (config !== undefined) {
      const problems = validateSchema(FEATURE_CATALOG[key].config, config, 'config');
      if (problems.length) throw new DomainError(ErrorCode.VALIDATION_FAILED, `Invalid config for ${key}`, problems);
    }
    return this.db.run(botId, async () => {
      const current = await this.get(botId, key);
      if (enabled && !current.allowed) {
        throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, `The platform has not allowed ${key} for this bot`);
      }
      const stored = config === undefined ? undefined : await this.sealSecrets(botId, key, config as Record<string, unknown>);
      await this.flags.upsertFlag(botId, key, enabled, stored ?? {}, stored !== undefined);
      const after = await this.get(botId, key);
      if (actor) {
        await this.audit.record(botId, {
          actor,
          action: 'feature.set',
          targetType: 'feature',
          targetId: key,
          before: { enabled: current.enabled, config: current.config, secretsSet: current.secretsSet },
          after: { enabled: after.enabled, config: after.config, secretsSet: after.secretsSet },
        });
      }
      return after;
    });
  }

  /**
   * The feature's config with its secret fields decrypted, for the adapter that needs them (a payment gateway).
   * Never return this to a client or log it.
   */
  async secretConfig(botId: string, key: FeatureKey): Promise<Record<string, unknown>> {
    const flag = await this.repos.featureFlags.findOne(botId, { featureKey: key });
    const config = { ...(flag?.config ?? {}) };
    for (const field of secretFieldsOf(key)) {
      const sealed = config[field];
      if (typeof sealed === 'string') config[field] = this.box.decrypt(sealed, secretAd(botId, key, field));
    }
    return config;
  }

  /** A new config as stored: its secret fields encrypted; one left out keeps the stored value. */
  private async sealSecrets(
    botId: string,
    key: FeatureKey,
    config: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const secrets = secretFieldsOf(key);
    if (!secrets.length) return config;
    const flag = await this.repos.featureFlags.findOne(botId, { featureKey: key });
    const sealed = { ...config };
    for (const field of secrets) {
      const value = config[field];
      if (typeof value === 'string') sealed[field] = this.box.encrypt(value, secretAd(botId, key, field));
      else if (typeof flag?.config[field] === 'string') sealed[field] = flag.config[field];
    }
    return sealed;
  }
}
