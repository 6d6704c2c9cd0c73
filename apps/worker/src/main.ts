import 'reflect-metadata';
import { bootConfig } from '@botfleet/config';
import { createWorkerApp } from './bootstrap';

/** Bounded graceful shutdown: stop taking updates, finish running work, release leases, then exit. */
const SHUTDOWN_GRACE_MS = 20_000;

async function main() {
  const config = bootConfig();
  const app = await createWorkerApp();
  await app.init();
  if (config.WORKER_HTTP_PORT > 0) await app.listen(config.WORKER_HTTP_PORT, '0.0.0.0');
  // Logs are buffered until the logger is set; listen() flushes them, a worker without HTTP must do it itself.
  else app.flushLogs();
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => {
        console.error(`worker: shutdown took longer than ${SHUTDOWN_GRACE_MS} ms, exiting`);
        process.exit(1);
      }, SHUTDOWN_GRACE_MS).unref();
      app
        .close()
        .then(() => process.exit(0))
        .catch(() => process.exit(1));
    });
  }
}

main().catch((e: unknown) => {
  console.error(`worker failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
