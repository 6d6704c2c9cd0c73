import { MigrationInterface, QueryRunner } from 'typeorm';
import { makeTenantTable } from '../libs/dal/src/migration/tenant-table';

const MAX_SAFE = '9007199254740991';

/**
 * `console_sessions`: the web console's signed-in browsers. The cookie and CSRF tokens are kept as SHA-256
 * hashes only; a session lives until `expires_at` unless revoked (sign out, or revoked from another session).
 * A tenant session has its bot (RLS as every tenant table; master sessions, bot_id NULL, are reached on the
 * platform path only, where the cookie is looked up before any tenant is known).
 */
export class ConsoleSessions1764400000000 implements MigrationInterface {
  name = 'ConsoleSessions1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE console_sessions (
      id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
      kind varchar(10) NOT NULL CHECK (kind IN ('master','tenant')),
      bot_id uuid REFERENCES bots(id) ON DELETE CASCADE,
      telegram_id bigint,
      role varchar(10) NOT NULL CHECK (role IN ('owner','admin','support','operator')),
      token_hash varchar(64) NOT NULL UNIQUE,
      csrf_hash varchar(64) NOT NULL,
      user_agent varchar(300),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      CONSTRAINT console_sessions_kind_bot CHECK ((kind = 'tenant') = (bot_id IS NOT NULL)),
      CONSTRAINT console_sessions_master_role CHECK ((kind = 'master') = (role = 'operator')),
      CONSTRAINT console_sessions_telegram_id_range CHECK (telegram_id BETWEEN -${MAX_SAFE} AND ${MAX_SAFE})
    )`);
    await q.query(`CREATE INDEX console_sessions_bot_idx ON console_sessions(bot_id, telegram_id, created_at DESC)`);
    await q.query(
      `CREATE INDEX console_sessions_master_idx ON console_sessions(created_at DESC) WHERE kind = 'master'`,
    );
    await makeTenantTable(q, 'console_sessions');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE console_sessions`);
  }
}
