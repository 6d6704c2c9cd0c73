import { transformFileSync } from '@swc/core';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { TelegramEmulatorClient } from './telegram-emulator.client';

// Generous: this compiles the emulator and starts it as a separate process.
jest.setTimeout(60_000);

const repositoryRoot = resolve(__dirname, '../../../..');

/** Compiles this folder to plain JavaScript, as `npm run build` would, without touching `dist`. */
function compileEmulator(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'telegram-emulator-'));
  for (const file of readdirSync(__dirname)) {
    if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
    const { code } = transformFileSync(join(__dirname, file), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      swcrc: false,
    });
    writeFileSync(join(outDir, file.replace(/\.ts$/, '.js')), code);
  }
  return outDir;
}

describe('standalone emulator (main.ts)', () => {
  let outDir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    outDir = compileEmulator();
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(outDir, { recursive: true, force: true });
  });

  it('prints its URL as one JSON line, serves the Bot API and control API, and exits cleanly on SIGTERM', async () => {
    child = spawn(process.execPath, [join(outDir, 'main.js')], {
      env: { ...process.env, TELEGRAM_EMULATOR_PORT: '0', NODE_PATH: join(repositoryRoot, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const firstLine = await new Promise<string>((resolveLine, reject) => {
      const lines = createInterface({ input: child!.stdout! });
      lines.once('line', resolveLine);
      child!.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${stderr.join('')}`)));
    });
    const announced = JSON.parse(firstLine) as { service: string; event: string; url: string };
    expect(announced).toEqual({
      service: 'telegram-emulator',
      event: 'listening',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });

    const client = new TelegramEmulatorClient(announced.url);
    const bot = await client.createBot();
    expect((await client.botApi(bot.token, 'getMe')).body.result).toMatchObject({ id: bot.id });
    await client.sendText(bot.id, { from: { id: 1 }, text: '/start' });
    expect(await client.getPendingUpdates(bot.id)).toHaveLength(1);

    const exited = new Promise<number | null>((resolveExit) => child!.once('exit', resolveExit));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses an invalid port with a clear message', async () => {
    const invalid = spawn(process.execPath, [join(outDir, 'main.js')], {
      env: { ...process.env, TELEGRAM_EMULATOR_PORT: 'eighty', NODE_PATH: join(repositoryRoot, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    invalid.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolveExit) => invalid.once('exit', resolveExit));
    expect(code).toBe(1);
    expect(stderr).toContain('TELEGRAM_EMULATOR_PORT must be a port number');
  });
});
