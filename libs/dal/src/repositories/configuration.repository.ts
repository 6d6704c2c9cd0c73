import { Injectable } from '@nestjs/common';
import { TenantDb } from '../tenant-context';

/** The writes of `bot_configurations` the generic tenant repository cannot express (an upsert, a key's lock). */
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

  /**
   * Serialises read-modify-writes of one key until the current transaction ends (a transaction-scoped advisory
   * lock: the row may not exist yet, so a row lock would not do). Must run inside a tenant transaction.
   */
  async lockKey(botId: string, key: string): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(`SELECT pg_advisory_xact_lock(hashtextextended('botfleet:config:' || $1::text || ':' || $2, 0))`, [
        botId,
        key,
      ]),
    );
  }
}
