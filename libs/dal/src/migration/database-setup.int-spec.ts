import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { adminUrl } from '@botfleet/testing';
import { DB_ROLES } from './roles';
import { ensureDatabase } from './database-setup';

/**
 * Roles are cluster-wide: many processes (parallel test files, an API and a worker starting together) set
 * them up at once. Without serialising, PostgreSQL answers "tuple concurrently updated" to one of them.
 */
describe('ensureDatabase (real PostgreSQL)', () => {
  const created: string[] = [];
  afterAll(async () => {
    const admin = new Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      for (const name of created) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  });

  it('twelve setups at once all succeed, each database created once with the owner role', async () => {
    const base = new URL(adminUrl());
    const names = Array.from(
      { length: 12 },
      () => `bft_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`,
    );
    created.push(...names);
    const url = (role: string, name: string) => `postgres://${role}@${base.host}/${name}${base.search}`;
    const results = await Promise.allSettled(
      names.map((name) =>
        ensureDatabase({
          adminUrl: adminUrl(),
          ownerUrl: url(DB_ROLES.owner, name),
          appUrl: url(DB_ROLES.app, name),
          platformUrl: url(DB_ROLES.platform, name),
        }),
      ),
    );
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
    ).toEqual([]);
    const admin = new Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      const rows = await admin.query(
        `SELECT d.datname, r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = ANY($1)`,
        [names],
      );
      expect(rows.rows).toHaveLength(names.length);
      expect(new Set(rows.rows.map((r: { rolname: string }) => r.rolname))).toEqual(new Set([DB_ROLES.owner]));
      const bypass = await admin.query(
        `SELECT rolname, rolbypassrls FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
        [[DB_ROLES.app, DB_ROLES.platform]],
      );
      expect(bypass.rows).toEqual([
        { rolname: DB_ROLES.app, rolbypassrls: false },
        { rolname: DB_ROLES.platform, rolbypassrls: true },
      ]);
    } finally {
      await admin.end();
    }
  });
});
