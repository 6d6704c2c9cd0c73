import { TelegramEmulator } from './telegram-emulator';

/**
 * Standalone emulator for e2e tests and benchmarks: `npm run emulator:telegram`.
 * TELEGRAM_EMULATOR_PORT (default 8081) and TELEGRAM_EMULATOR_HOST (default 127.0.0.1) choose where it
 * listens. It prints one JSON line with its URL once listening, so a parent process can wait for it.
 */
async function main(): Promise<void> {
  const rawPort = process.env.TELEGRAM_EMULATOR_PORT ?? '8081';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`TELEGRAM_EMULATOR_PORT must be a port number (0-65535), got "${rawPort}"`);
    process.exit(1);
  }
  const host = process.env.TELEGRAM_EMULATOR_HOST ?? '127.0.0.1';
  const emulator = new TelegramEmulator();
  const url = await emulator.listen(port, host);
  process.stdout.write(`${JSON.stringify({ service: 'telegram-emulator', event: 'listening', url })}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error('telegram emulator failed to start:', error);
  process.exit(1);
});
