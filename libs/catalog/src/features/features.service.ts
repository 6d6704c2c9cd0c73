import { Injectable } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { FeatureFlagRepository, TenantDb, TenantRepositories } from '@botfleet/dal';
import { describeSchema, validateSchema } from '../settings/schema';
import { FEATURE_CATALOG, FeatureKey, isFeatureKey } from './feature-catalog';

export interface FeatureView {
  key: FeatureKey;
  description: string;
  enabled: boolean;
  allowed: boolean;
  config: Record<string, unknown>;
  configSchema: unknown;
}

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
      return {
        key,
        description: def.description,
        allowed,
        enabled: allowed && (f ? f.enabled : def.enabledByDefault),
        config: f?.config ?? {},
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
      await this.flags.upsertFlag(botId, key, enabled, config ?? current.config, config !== undefined);
      const after = await this.get(botId, key);
      if (actor) {
        await this.audit.record(botId, {
          actor,
          action: 'feature.set',
          targetType: 'feature',
          targetId: key,
          before: { enabled: current.enabled, config: current.config },
          after: { enabled: after.enabled, config: after.config },
        });
      }
      return after;
    });
  }
}
