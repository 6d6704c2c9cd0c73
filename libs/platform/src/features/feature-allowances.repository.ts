import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * The operator's decision which feature keys a bot may enable (`feature_allowances`; the application role
 * may only read it). Forbidding a key also switches the tenant's flag off.
 */
@Injectable()
export class FeatureAllowancesRepository {
  async set(m: EntityManager, botId: string, key: string, allowed: boolean): Promise<void> {
    await m.query(
      `INSERT INTO feature_allowances (bot_id, feature_key, allowed) VALUES ($1,$2,$3)
       ON CONFLICT (bot_id, feature_key) DO UPDATE SET allowed = EXCLUDED.allowed, updated_at = now()`,
      [botId, key, allowed],
    );
    if (allowed) return;
    await m.query(
      `INSERT INTO bot_feature_flags (bot_id, feature_key, enabled) VALUES ($1,$2,false)
       ON CONFLICT (bot_id, feature_key) DO UPDATE SET enabled = false, updated_at = now()`,
      [botId, key],
    );
  }
}
