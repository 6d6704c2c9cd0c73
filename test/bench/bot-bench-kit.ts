import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  createTestEnv,
  EmulatedBot,
  freePort,
  spawnApp,
  waitForHttp,
  EmulatorProcess,
  repoRoot,
  spawnTelegramEmulator,
  spawnWorker,
  TelegramEmulatorClient,
  TestEnv,
  WorkerProcess,
} from '@botfleet/testing';
import { insertHostedBots } from './bench-seeder';

/** Shared plumbing of the bot-hosting benchmarks (B1–B4, B7, B8): emulator in its own process, real apps. */

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Environment for the apps under measurement: production mode, quiet logs, the emulator as Telegram. */
export function benchEnv(emulator: EmulatorProcess, extra: Record<string, string> = {}): Promise<TestEnv> {
  // Production hides /metrics without a token; the benches read the worker's metrics with this one.
  return createTestEnv({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    TELEGRAM_API_ROOT: emulator.url,
    METRICS_TOKEN: `bench-metrics-${randomBytes(16).toString('hex')}`,
    // B1/B2 push 40-80 replies/s per bot to measure the update pipeline, past Telegram's ~30/s: the per-bot send
    // budget (libs/telegram/src/budget) is off for them; B5 measures it and turns it on.
    TELEGRAM_BOT_MSGS_PER_S: '0',
    ...extra,
  });
}

export async function withEmulator<T>(fn: (emu: EmulatorProcess) => Promise<T>): Promise<T> {
  const emu = await spawnTelegramEmulator();
  try {
    return await fn(emu);
  } finally {
    await emu.stop();
  }
}

/** Runs `fn` over `items` with at most `limit` at once. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

export async function createEmulatorBots(client: TelegramEmulatorClient, n: number): Promise<EmulatedBot[]> {
  return pool(Array.from({ length: n }), 32, () => client.createBot());
}

/** n emulator bots registered on the platform (bulk insert, no events: a worker finds them at boot). */
export async function hostBots(
  env: TestEnv,
  client: TelegramEmulatorClient,
  n: number,
  status: 'active' | 'paused' = 'active',
): Promise<{ tg: EmulatedBot; botId: string }[]> {
  const tgs = await createEmulatorBots(client, n);
  const ids = await insertHostedBots(env, tgs, { status });
  return tgs.map((tg, i) => ({ tg, botId: ids[i] }));
}

export async function waitUntil(
  what: string,
  fn: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Every bot has a getUpdates pending (its poller runs). */
export function waitPolled(client: TelegramEmulatorClient, tgIds: number[], timeoutMs = 60_000): Promise<void> {
  return waitUntil(
    `${tgIds.length} bots polled`,
    async () =>
      (await pool(tgIds, 32, async (id) => (await client.getBotStats(id)).activePollers)).every((n) => n === 1),
    timeoutMs,
    250,
  );
}

let userSeq = 1_000_000;
/** A fresh Telegram user (a new chat, so a new users row). */
export const newUser = () => ({ id: ++userSeq, first_name: `Bench${userSeq}`, language_code: 'en' });

/** Queues `/start` from a new user in each given bot, in batches; returns the user ids. */
export async function pushStarts(client: TelegramEmulatorClient, botIds: number[]): Promise<number[]> {
  const items = botIds.map((bot) => ({ bot, from: newUser(), text: '/start' }));
  for (let i = 0; i < items.length; i += 1_000) await client.sendTexts(items.slice(i, i + 1_000));
  return items.map((it) => it.from.id);
}

/** Waits until the emulator has recorded `target` bot messages in total. */
export async function waitSent(client: TelegramEmulatorClient, target: number, timeoutMs: number): Promise<void> {
  let last = 0;
  try {
    await waitUntil(
      `${target} messages sent`,
      async () => (last = (await client.getStats()).sentMessages) >= target,
      timeoutMs,
      20,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message} (${last} sent)`);
  }
}

export interface BenchProcess {
  stop(): Promise<void>;
}

/**
 * A baseline in a process of its own (`dist/test/bench/<file>.js`) with only the given environment; resolves once
 * it prints "ready". BOTFLEET_CHILD_EXEC_ARGV applies to it too (profiles of the baselines).
 */
export async function spawnBenchProcess(file: string, vars: Record<string, string>): Promise<BenchProcess> {
  const execArgv = (process.env.BOTFLEET_CHILD_EXEC_ARGV ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...execArgv, join(repoRoot(), 'dist', 'test', 'bench', `${file}.js`)], {
    cwd: repoRoot(),
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${file} did not start: ${out}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}): ${out}`)));
  });
  return {
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

export type BareBots = BenchProcess;

/** The bot baselines of B1/B2 — the framework a user would pick instead of hosting with us. */
export type BareFramework = 'telegraf' | 'grammy';

/**
 * A baseline: bare bots in a process of their own doing the same upsert + reply by hand — Telegraf's own polling
 * (bare-telegraf-bot.process.ts) or grammY with @grammyjs/runner (bare-grammy-bot.process.ts).
 */
export function startBareBots(
  env: TestEnv,
  emulatorUrl: string,
  bots: { tg: EmulatedBot; botId: string }[],
  framework: BareFramework = 'telegraf',
): Promise<BareBots> {
  return spawnBenchProcess(framework === 'telegraf' ? 'bare-telegraf-bot.process' : 'bare-grammy-bot.process', {
    TELEGRAM_API_ROOT: emulatorUrl,
    DATABASE_URL: env.db.platformUrl,
    BARE_BOTS: JSON.stringify(bots.map((b) => ({ token: b.tg.token, botId: b.botId }))),
  });
}

export { spawnWorker, type WorkerProcess };

/** Percentile of sorted-or-not samples (nearest rank). */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export interface ApiProcess {
  base: string;
  stop(): Promise<void>;
}

/** The API as a process of its own on a free port, ready (/health/ready) when this resolves. */
export async function spawnApi(vars: Record<string, string>, port?: number): Promise<ApiProcess> {
  const p = port ?? (await freePort());
  const app = spawnApp('api', { ...vars, API_PORT: String(p), API_HOST: '127.0.0.1' });
  const base = `http://127.0.0.1:${p}`;
  try {
    await waitForHttp(`${base}/health/ready`, 30_000);
  } catch (err) {
    await app.kill();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${app.output().slice(-2000)}`);
  }
  return {
    base,
    async stop() {
      await app.stop();
    },
  };
}

export interface ClosedLoopResult {
  requests: number;
  failures: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** `concurrency` clients, each sending its next request when the previous answered, for `seconds`. */
export async function closedLoop(
  concurrency: number,
  seconds: number,
  request: (i: number) => Promise<boolean>,
): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  let failures = 0;
  let i = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        const ok = await request(i++).catch(() => false);
        latencies.push(performance.now() - s);
        if (!ok) failures++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return {
    requests: latencies.length,
    failures,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
  };
}

/** A free TCP port (for an app whose URL must be known before it starts). */
export const freePortOf = freePort;
