import { benchEnv, hostBots, sleep, spawnWorker, waitUntil, withEmulator, WorkerProcess } from './bot-bench-kit';
import { readMetric } from '@botfleet/testing';
import type { Benchmark, BenchRow } from './types';

const POLLING_STEPS = [100, 1_000, 5_000];
const WEBHOOK_BOTS = 10_000;
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
 * (each with a pending long poll) at 100, 1,000 and 5,000, webhook at 10,000 — beside the same worker
 * with no bot.
 */
export const b3IdleBots: Benchmark = {
  id: 'B3',
  title: 'one worker with N idle bots: RSS and event-loop lag p99 (polling 100/1,000/5,000; webhook 10,000)',
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
            await waitRunning(worker, n, 120_000);
            await waitUntil(
              `${n} long polls`,
              async () => (await emu.client.getStats()).activePollers >= n,
              60_000,
              500,
            );
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
      let hook: Sample;
      try {
        log(`registering ${WEBHOOK_BOTS} webhook bots`);
        await hostBots(webhook, emu.client, WEBHOOK_BOTS);
        const worker = await spawnWorker(webhook.vars);
        try {
          await waitRunning(worker, WEBHOOK_BOTS, 180_000);
          hook = await sample(worker, WEBHOOK_BOTS);
          log(`${WEBHOOK_BOTS} webhook bots: ${hook.rssMb.toFixed(0)} MB, lag p99 ${hook.lagP99Ms.toFixed(1)} ms`);
        } finally {
          await worker.stop();
        }
      } finally {
        await webhook.cleanup();
      }
      for (const s of samples) {
        const limit = s.bots === 1_000 ? 512 : undefined;
        rows.push(
          {
            figure: `RSS, ${s.bots} polling bots`,
            unit: 'MB',
            value: s.rssMb,
            baseline: base.rssMb,
            ratio: s.rssMb / base.rssMb,
            ...(limit ? { target: `≤ ${limit}`, ok: s.rssMb <= limit } : {}),
          },
          {
            figure: `lag p99, ${s.bots} polling bots`,
            unit: 'ms',
            value: s.lagP99Ms,
            baseline: base.lagP99Ms,
            target: '≤ 20',
            ok: s.lagP99Ms <= 20,
          },
        );
      }
      rows.push(
        {
          figure: `RSS, ${WEBHOOK_BOTS} webhook bots`,
          unit: 'MB',
          value: hook.rssMb,
          baseline: base.rssMb,
          ratio: hook.rssMb / base.rssMb,
          target: '≤ 1024',
          ok: hook.rssMb <= 1024,
        },
        {
          figure: `lag p99, ${WEBHOOK_BOTS} webhook bots`,
          unit: 'ms',
          value: hook.lagP99Ms,
          baseline: base.lagP99Ms,
          target: '≤ 20',
          ok: hook.lagP99Ms <= 20,
        },
      );
      return {
        rows,
        setup: {
          pollingSteps: POLLING_STEPS,
          webhookBots: WEBHOOK_BOTS,
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
