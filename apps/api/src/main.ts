import 'reflect-metadata';
import { bootConfig } from '@botfleet/config';
import { createApiApp } from './bootstrap';

async function main() {
  const config = bootConfig();
  const app = await createApiApp();
  await app.listen(config.API_PORT, config.API_HOST);
}

main().catch((e: unknown) => {
  console.error(`api failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
