import { Client } from 'pg';
import { createDataSource } from '../data-source';
import { DB_ROLES } from './roles';

function parse(url: string) {
  const u = new URL(url);
  return {
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
  };
}

const ident = (s: string) => '"' + s.replace(/"/g, '""') + '"';
const literal = (s: string) => "'" + s.replace(/'/g, "''") + "'";

export interface DatabaseUrls {
  adminUrl?: string;
  ownerUrl: string;
  appUrl: string;
  platformUrl: string;
}

/**
 * Creates the three roles and the database when missing (needs a superuser URL), and sets
 * role passwords from the URLs. Safe to run on every start. Without an admin URL it only
 * checks that the URLs name the expected roles.
 */
export async function ensureDatabase(urls: DatabaseUrls, log: (msg: string) => void = () => undefined): Promise<void> {
  const owner = parse(urls.ownerUrl);
  const app = parse(urls.appUrl);
  const platform = parse(urls.platformUrl);
  const expected: [string, string][] = [
    [owner.user, DB_ROLES.owner],
    [app.user, DB_ROLES.app],
    [platform.user, DB_ROLES.platform],
  ];
  for (const [actual, want] of expected) {
    if (actual !== want) throw new Error(`Database URL user must be ${want} (got another role)`);
  }
  if (!urls.adminUrl) return;
  const admin = new Client({ connectionString: urls.adminUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    const roles: [string, string, string][] = [
      [DB_ROLES.owner, owner.password, 'LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE'],
      [DB_ROLES.app, app.password, 'LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE'],
      [DB_ROLES.platform, platform.password, 'LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE'],
    ];
    // Roles are cluster-wide and shared by every database of the cluster (concurrent test databases, two
    // apps starting at once): one setter at a time, or PostgreSQL answers "tuple concurrently updated".
    await admin.query(`SELECT pg_advisory_lock(hashtext('botfleet:role-setup'))`);
    try {
      for (const [role, password, attrs] of roles) {
        await retryConcurrentCatalogUpdate(async () => {
          await admin.query(
            `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal(role)}) THEN CREATE ROLE ${ident(role)} ${attrs}; END IF; END $$`,
          );
          await admin.query(`ALTER ROLE ${ident(role)} ${attrs}`);
          if (password) await admin.query(`ALTER ROLE ${ident(role)} PASSWORD ${literal(password)}`);
        });
      }
    } finally {
      await admin.query(`SELECT pg_advisory_unlock(hashtext('botfleet:role-setup'))`);
    }
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [owner.database]);
    if (!exists.rowCount) {
      await admin.query(`CREATE DATABASE ${ident(owner.database)} OWNER ${ident(DB_ROLES.owner)}`);
      log(`created database ${owner.database}`);
    }
  } finally {
    await admin.end();
  }
}

/**
 * Runs a role change again when another session changed the same catalogue row at the same moment (an
 * admin connected to another database is not covered by the advisory lock): "already exists" and "tuple
 * concurrently updated" mean someone else got there first, so looking again settles it.
 */
async function retryConcurrentCatalogUpdate(work: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (attempt >= 5 || !/already exists|tuple concurrently updated/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

/** Applies pending migrations as the owner role. */
export async function runMigrations(ownerUrl: string, log: (msg: string) => void = () => undefined): Promise<string[]> {
  const ds = await createDataSource({
    url: ownerUrl,
    poolSize: 1,
    applicationName: 'botfleet-migrate',
    statementTimeoutMs: 0,
  }).initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    for (const m of done) log(`applied migration ${m.name}`);
    return done.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
