import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TelegramEmulatorClient } from '../telegram/telegram-emulator.client';
import { repoRoot } from './app-process';

const ROOT = repoRoot();

export interface EmulatorProcess {
  url: string;
  client: TelegramEmulatorClient;
  stop(): Promise<void>;
}

/**
 * The Telegram Bot API emulator in a process of its own (from `dist/`, like spawnApp), for benchmarks and
 * tests that must not share an event loop with it. Resolves once it listens.
 */
export async function spawnTelegramEmulator(port = 0, timeoutMs = 15_000): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'libs', 'testing', 'src', 'telegram', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', TELEGRAM_EMULATOR_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out}`)), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`emulator exited (${code}): ${out}`)));
  });
  return {
    url,
    client: new TelegramEmulatorClient(url),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
