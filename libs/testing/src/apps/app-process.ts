import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest directory above this file that holds package.json. Works
 * from the sources (tests) and from dist/ (benchmarks run the build).
 */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const ROOT = repoRoot();

export interface AppProcess {
  child: ChildProcess;
  /** Everything the process printed (JSON log lines), for assertions such as "no token in logs". */
  output(): string;
  /** SIGTERM and wait for exit (graceful). */
  stop(): Promise<number | null>;
  /** SIGKILL: the crash case. */
  kill(): Promise<void>;
}

/**
 * Starts a real app (`api` or `worker`) from the build output as a child process, as in
 * production. e2e tests use this when they need to kill or restart a process; `npm test`
 * builds first.
 */
export function spawnApp(app: 'api' | 'worker', vars: Record<string, string>): AppProcess {
  // Profiling a benchmark's apps: BOTFLEET_CHILD_EXEC_ARGV="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const execArgv = (process.env.BOTFLEET_CHILD_EXEC_ARGV ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...execArgv, join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...vars,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `fn` until it returns a truthy value or the time is up. */
export async function waitFor<T>(
  fn: () => Promise<T> | T,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`waitFor timed out after ${timeoutMs} ms${lastErr ? `: ${String(lastErr)}` : ''}`);
}
