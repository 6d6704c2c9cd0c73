import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A console session signed in with a pasted token remembers that token's SHA-256 (`source_token_hash`): the
 * session lives only while the token does, so rotating a leaked API token (or the master token) also ends the
 * browser sessions made with it. NULL for a session from a bot's one-time link (its admin is checked instead).
 */
export class ConsoleSessionSource1764400000010 implements MigrationInterface {
  name = 'ConsoleSessionSource1764400000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE console_sessions ADD COLUMN source_token_hash varchar(64)`);
    // Sessions from a pasted token made before this column existed cannot be tied to their token: ended.
    await q.query(`UPDATE console_sessions SET revoked_at = now() WHERE telegram_id IS NULL AND revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE console_sessions DROP COLUMN source_token_hash`);
  }
}
