import { Injectable } from '@nestjs/common';
import { TenantDb } from '../tenant-context';

/** Upserts of `bot_feature_flags` (the tenant's switch; the operator's `feature_allowances` are libs/platform's). */
@Injectable()
export class FeatureFlagRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * Sets the tenant's switch for `key`. The stored config is replaced by `config` only when
   * `replaceConfig` is true; otherwise the row keeps its config (a new row gets `config`).
   */
  async upsertFlag(
    botId: string,
    key: string,
    enabled: boolean,
    config: unknown,
    replaceConfig: boolean,
  ): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO bot_feature_flags (bot_id, feature_key, enabled, config) VALUES ($1,$2,$3,$4::jsonb)
         ON CONFLICT (bot_id, feature_key) DO UPDATE SET enabled = EXCLUDED.enabled,
           config = CASE WHEN $5 THEN EXCLUDED.config ELSE bot_feature_flags.config END, updated_at = now()`,
        [botId, key, enabled, JSON.stringify(config), replaceConfig],
      ),
    );
  }

  /** Switches `key` off, keeping its config (creates the row when the tenant never touched it). */
  async switchOff(botId: string, key: string): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO bot_feature_flags (bot_id, feature_key, enabled) VALUES ($1,$2,false)
         ON CONFLICT (bot_id, feature_key) DO UPDATE SET enabled = false, updated_at = now()`,
        [botId, key],
      ),
    );
  }
}
