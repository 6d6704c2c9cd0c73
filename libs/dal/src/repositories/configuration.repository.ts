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

  /** The value stored under `key`, or undefined when the shop never set it (its default applies). */
  async stored(botId: string, key: string): Promise<unknown> {
    const rows: { value: unknown }[] = await this.db.within(botId, (m) =>
      m.query(`SELECT config_value AS value FROM bot_configurations WHERE bot_id = $1 AND config_key = $2`, [
        botId,
        key,
      ]),
    );
    return rows[0]?.value;
  }

  /** Whether PostgreSQL knows `name` as a time zone (exactly as written), so `AT TIME ZONE` accepts it. */
  async isKnownTimeZone(botId: string, name: string): Promise<boolean> {
    const rows: { known: boolean }[] = await this.db.within(botId, (m) =>
      m.query(`SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS known`, [name]),
    );
    return rows[0]?.known === true;
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
