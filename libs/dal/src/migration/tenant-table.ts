import { QueryRunner } from 'typeorm';
import { DB_ROLES } from './roles';

/** The one tenant policy (DATA.md). NULLIF: after a transaction ends the setting reads '' rather than NULL. */
export const TENANT_PREDICATE = `bot_id = NULLIF(current_setting('app.bot_id', true), '')::uuid`;

/**
 * Makes a table tenant-owned: row-level security enabled and forced, one policy on
 * app.bot_id for USING and WITH CHECK, and DML granted to the app and platform roles.
 * Every migration that creates a table with bot_id calls this; the catalogue test fails otherwise.
 */
export async function makeTenantTable(q: QueryRunner, table: string, column = 'bot_id'): Promise<void> {
  const predicate = TENANT_PREDICATE.replace('bot_id', column);
  await q.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
  await q.query(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
  await q.query(`CREATE POLICY tenant_isolation ON "${table}" USING (${predicate}) WITH CHECK (${predicate})`);
  await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO ${DB_ROLES.app}, ${DB_ROLES.platform}`);
}

/** A platform table: reachable only by the platform role. */
export async function makePlatformTable(q: QueryRunner, table: string): Promise<void> {
  await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "${table}" TO ${DB_ROLES.platform}`);
}
