import { Client } from 'pg';
import { adminUrl } from '../db/test-database';

/**
 * Runs once before the integration and e2e projects: removes test databases that earlier
 * runs left behind (older than 3 hours, so a concurrent run on the same machine is untouched).
 */
export default async function globalSetup(): Promise<void> {
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'bft\\_%'`,
    );
    const cutoff = Math.floor(Date.now() / 1000) - 3 * 3600;
    for (const { datname } of rows) {
      const ts = Number(datname.split('_')[1]);
      if (Number.isFinite(ts) && ts < cutoff) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
