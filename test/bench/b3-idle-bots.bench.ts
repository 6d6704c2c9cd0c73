import { benchEnv, hostBots, sleep, spawnWorker, waitUntil, withEmulator, WorkerProcess } from './bot-bench-kit';
import { readMetric } from '@botfleet/testing';
import type { Benchmark, BenchRow } from './types';

/** Sizes from the environment (`BENCH_B3_POLLING=1000,5000,10000`, `BENCH_B3_WEBHOOK=25000`), for quick runs. */
function sizes(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  const list = raw.split(',').map((v) => Number(v.trim()));
  if (!list.length || list.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`${name}: ${raw}`);
  return list.sort((a, b) => a - b);
}
const POLLING_STEPS = sizes('BENCH_B3_POLLING', [1_000, 5_000, 10_000]);
const WEBHOOK_STEPS = sizes('BENCH_B3_WEBHOOK', [10_000, 25_000]);
/** How long N bots may take to start (and their long polls to arrive): 2 min, or 20 ms a bot past 6,000. */
const startTimeout = (n: number) => Math.max(120_000, n * 20);
/** Share of the N bots that must have a long poll pending at once before the sample. */
const LONG_POLL_SHARE = 0.98;
/** The targets of BENCHMARKS.md: MB of RSS at a number of bots. */
const POLLING_LIMITS: Record<number, number> = { 10_000: 512 };
const WEBHOOK_LIMITS: Record<number, number> = { 25_000: 1024 };
const SETTLE_MS = 3_000;
const LAG_WINDOW_MS = 5_000;
/** prom-client's eventLoopMonitoringPrecision (default). */
const MONITOR_RESOLUTION_MS = 10;

interface Sample {
  bots: number;
  rssMb: number;
  lagP99Ms: number;
}

/** RSS now, and the event-loop delay p99 over a fresh window (prom-client resets it on every scrape). */
async function sample(worker: WorkerProcess, bots: number): Promise<Sample> {
  await sleep(SETTLE_MS);
  await worker.metrics();
  await sleep(LAG_WINDOW_MS);
  // One scrape for both: every scrape restarts the event-loop histogram.
  const text = await worker.metrics();
  const rss = readMetric(text, 'process_resident_memory_bytes');
  // prom-client samples the loop with a 10 ms timer and reports the whole interval: the lag is what exceeds it.
  const delay = readMetric(text, 'nodejs_eventloop_lag_p99_seconds');
  return { bots, rssMb: rss / 2 ** 20, lagP99Ms: Math.max(0, delay * 1000 - MONITOR_RESOLUTION_MS) };
}

async function waitRunning(worker: WorkerProcess, n: number, timeoutMs: number): Promise<void> {
  await waitUntil(`${n} bots running`, async () => (await worker.metric('botfleet_bots_running')) >= n, timeoutMs, 500);
}

/**
 * B3: what idle bots cost one worker — resident memory and event-loop lag p99 with N idle bots: polling
 * (each with a pending long poll) at 1,000, 5,000 and 10,000, webhook at 10,000 and 25,000 (sizes configurable,
 * see `sizes`) — beside the same worker with no bot.
 */
export const b3IdleBots: Benchmark = {
  id: 'B3',
  title: `one worker with N idle bots: RSS and event-loop lag p99 (polling ${POLLING_STEPS.join('/')}; webhook ${WEBHOOK_STEPS.join('/')})`,
  async run({ log }) {
    return withEmulator(async (emu) => {
      const rows: BenchRow[] = [];
      const samples: Sample[] = [];
      let base: Sample;
      const polling = await benchEnv(emu, { BOT_RECONCILE_MS: '2000' });
      try {
        const worker = await spawnWorker(polling.vars);
        try {
          base = await sample(worker, 0);
          log(`0 bots: ${base.rssMb.toFixed(0)} MB`);
          let hosted = 0;
          for (const n of POLLING_STEPS) {
            await hostBots(polling, emu.client, n - hosted);
            hosted = n;
            await waitRunning(worker, n, startTimeout(n));
            // Each long poll ends after 25 s and the next starts: on a loaded machine a few are between two polls.
            let pending = 0;
            try {
              await waitUntil(
                `${n} long polls`,
                async () => (pending = (await emu.client.getStats()).activePollers) >= n * LONG_POLL_SHARE,
                startTimeout(n),
                500,
              );
            } catch (err) {
              throw new Error(`${(err as Error).message} (${pending} pending)`);
            }
            const s = await sample(worker, n);
            samples.push(s);
            log(`${n} polling bots: ${s.rssMb.toFixed(0)} MB, lag p99 ${s.lagP99Ms.toFixed(1)} ms`);
          }
        } finally {
          await worker.stop();
        }
      } finally {
        await polling.cleanup();
      }
      const webhook = await benchEnv(emu, {
        BOT_MODE: 'webhook',
        PUBLIC_BASE_URL: 'http://127.0.0.1:9',
        BOT_RECONCILE_MS: '5000',
      });
      const hooks: Sample[] = [];
      try {
        let hosted = 0;
        // Started with no bot (a worker booting with 10,000s of bots answers its health check late on a loaded
        // machine); the reconcile pass (BOT_RECONCILE_MS) picks up each step's bots.
        const worker = await spawnWorker(webhook.vars);
        try {
          for (const n of WEBHOOK_STEPS) {
            log(`registering ${n - hosted} more webhook bots`);
            await hostBots(webhook, emu.client, n - hosted);
            hosted = n;
            await waitRunning(worker, n, startTimeout(n));
            const s = await sample(worker, n);
            hooks.push(s);
            log(`${n} webhook bots: ${s.rssMb.toFixed(0)} MB, lag p99 ${s.lagP99Ms.toFixed(1)} ms`);
          }
        } finally {
          await worker.stop();
        }
      } finally {
        await webhook.cleanup();
      }
      const push = (s: Sample, mode: 'polling' | 'webhook', limit: number | undefined) =>
        rows.push(
          {
            figure: `RSS, ${s.bots} ${mode} bots`,
            unit: 'MB',
            value: s.rssMb,
            baseline: base.rssMb,
            ratio: s.rssMb / base.rssMb,
            ...(limit ? { target: `≤ ${limit}`, ok: s.rssMb <= limit } : {}),
          },
          {
            figure: `lag p99, ${s.bots} ${mode} bots`,
            unit: 'ms',
            value: s.lagP99Ms,
            baseline: base.lagP99Ms,
            target: '≤ 20',
            ok: s.lagP99Ms <= 20,
          },
        );
      for (const s of samples) push(s, 'polling', POLLING_LIMITS[s.bots]);
      for (const s of hooks) push(s, 'webhook', WEBHOOK_LIMITS[s.bots]);
      return {
        rows,
        setup: {
          pollingSteps: POLLING_STEPS,
          webhookSteps: WEBHOOK_STEPS,
          settleMs: SETTLE_MS,
          lagWindowMs: LAG_WINDOW_MS,
          measuredBy:
            "the worker's /metrics: process_resident_memory_bytes, nodejs_eventloop_lag_p99_seconds minus the 10 ms sampling interval",
          pollTimeoutS: 25,
          baseline: 'the same worker process with 0 bots',
        },
        notes: ['Polling bots each hold one long poll to the emulator (25 s) and renew their lease every 3 s.'],
      };
    });
  },
};
