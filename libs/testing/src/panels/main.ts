/**
 * Runs one panel emulator as its own process, for e2e runs and manual poking:
 *
 *   PANEL_EMULATOR_TYPE=marzban PANEL_EMULATOR_PORT=8081 node dist/libs/testing/src/panels/main.js
 *
 * Credentials come from PANEL_EMULATOR_API_KEY (Remnawave) or PANEL_EMULATOR_USERNAME and
 * PANEL_EMULATOR_PASSWORD (Marzban, 3x-ui); unset, the emulator defaults apply. Prints one JSON line
 * `{"type","url"}` once listening (never the credentials) and stops on SIGINT/SIGTERM.
 */
import { createPanelEmulator } from './create-panel-emulator';
import type { PanelEmulatorType } from './panel-emulator.base';

const TYPES: readonly PanelEmulatorType[] = ['remnawave', 'marzban', 'xui'];

async function main(): Promise<void> {
  const type = process.env.PANEL_EMULATOR_TYPE as PanelEmulatorType | undefined;
  if (!type || !TYPES.includes(type)) {
    console.error(`PANEL_EMULATOR_TYPE must be one of ${TYPES.join(', ')}`);
    process.exit(2);
  }
  const port = Number(process.env.PANEL_EMULATOR_PORT ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error('PANEL_EMULATOR_PORT must be a port number (0 = any free port)');
    process.exit(2);
  }
  const emulator = createPanelEmulator(type, {
    port,
    host: process.env.PANEL_EMULATOR_HOST ?? '127.0.0.1',
    apiKey: process.env.PANEL_EMULATOR_API_KEY || undefined,
    username: process.env.PANEL_EMULATOR_USERNAME || undefined,
    password: process.env.PANEL_EMULATOR_PASSWORD || undefined,
  });
  const url = await emulator.start();
  console.log(JSON.stringify({ type, url }));
  const shutdown = () => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main().catch((err: unknown) => {
  console.error('panel emulator failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
