import { Injectable } from '@nestjs/common';
import { TenantDb } from '../tenant-context';

/** The write of `bot_configurations` the generic tenant repository cannot express (an upsert). */
@Injectable()
export class ConfigurationRepository {
  constructor(private readonly db: TenantDb) {}

  /** Stores `value` (as JSON) under `key`, replacing the previous value. */
  async upsert(botId: string, key: string, value: unknown): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO bot_configurations (bot_id, config_key, config_value) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (bot_id, config_key) DO UPDATE SET config_value = EXCLUDED.config_value, updated_at = now()`,
        [botId, key, JSON.stringify(value)],
      ),
    );
  }
}
