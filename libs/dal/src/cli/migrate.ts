import { bootConfig } from '@botfleet/config';
import { runMigrations } from '../migration/database-setup';

/** `npm run db:migrate`: apply pending migrations as the owner role. */
bootConfig();
runMigrations(process.env.DATABASE_OWNER_URL as string, (msg) =>
  process.stdout.write(JSON.stringify({ level: 'info', msg }) + '\n'),
)
  .then(() => process.exit(0))
  .catch((e: unknown) => {
    console.error(`db:migrate failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
