import { bootConfig } from '@botfleet/config';
import { ensureDatabase, runMigrations } from '../migration/database-setup';

/** `npm run db:setup`: create roles and database if missing, then migrate. Used by `npm start`. */
async function main() {
  const c = bootConfig();
  const log = (msg: string) => process.stdout.write(JSON.stringify({ level: 'info', msg }) + '\n');
  await ensureDatabase(
    {
      adminUrl: c.DATABASE_ADMIN_URL,
      ownerUrl: c.DATABASE_OWNER_URL,
      appUrl: c.DATABASE_URL,
      platformUrl: c.DATABASE_PLATFORM_URL,
    },
    log,
  );
  const applied = await runMigrations(c.DATABASE_OWNER_URL, log);
  log(applied.length ? `database ready (${applied.length} migrations applied)` : 'database ready (up to date)');
}

main().catch((e: unknown) => {
  console.error(`db:setup failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
