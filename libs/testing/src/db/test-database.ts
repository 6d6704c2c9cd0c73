import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, DB_ROLES, ensureDatabase, runMigrations } from '@botfleet/dal';

export function adminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export interface TestDatabase {
  name: string;
  ownerUrl: string;
  appUrl: string;
  platformUrl: string;
  /** A data source as the application role (RLS applies). */
  app(): Promise<DataSource>;
  /** A data source as the owner (RLS is forced on the owner too: use platform() to see every row). */
  owner(): Promise<DataSource>;
  platform(): Promise<DataSource>;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file, created like production (roles, owner, migrations as
 * the owner). Names carry the creation time so the global setup can clean up leftovers.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `bft_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  const base = new URL(adminUrl());
  // The admin URL's query (e.g. `?host=/var/run/postgresql` for the Unix socket) carries over to every role.
  const url = (role: string) => `postgres://${role}@${base.host}/${name}${base.search}`;
  const db = { ownerUrl: url(DB_ROLES.owner), appUrl: url(DB_ROLES.app), platformUrl: url(DB_ROLES.platform) };
  await ensureDatabase({ adminUrl: adminUrl(), ...db });
  await runMigrations(db.ownerUrl);
  const opened: DataSource[] = [];
  const open = async (u: string) => {
    const ds = await createDataSource({ url: u, poolSize: 5 }).initialize();
    opened.push(ds);
    return ds;
  };
  return {
    name,
    ...db,
    app: () => open(db.appUrl),
    owner: () => open(db.ownerUrl),
    platform: () => open(db.platformUrl),
    async drop() {
      for (const ds of opened) if (ds.isInitialized) await ds.destroy();
      const admin = new Client({ connectionString: adminUrl() });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
