import { webhookSecretOf } from '@botfleet/testing';
import {
  benchEnv,
  closedLoop,
  freePortOf,
  hostBots,
  newUser,
  spawnApi,
  spawnBenchProcess,
  spawnWorker,
  withEmulator,
} from './bot-bench-kit';
import type { ClosedLoopResult } from './bot-bench-kit';
import type { Benchmark } from './types';

/** Two closed-loop runs as one: requests and failures added, rates averaged, the worse p50/p99/max. */
function mergeLoops(runs: ClosedLoopResult[]): ClosedLoopResult {
  return {
    requests: runs.reduce((s, r) => s + r.requests, 0),
    failures: runs.reduce((s, r) => s + r.failures, 0),
    perSecond: runs.reduce((s, r) => s + r.perSecond, 0) / runs.length,
    p50Ms: Math.max(...runs.map((r) => r.p50Ms)),
    p99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    maxMs: Math.max(...runs.map((r) => r.maxMs)),
  };
}

const BOTS = 20;
/** Webhook senders at once (Telegram opens up to 40 per bot; a few keep the API below saturation on 2 cores). */
const CONCURRENCY = 4;
const SECONDS = 6;
const WARMUP_S = 1;

/**
 * B8: webhook mode, milliseconds from POST /telegram/webhook/{botId} to its 200 — the update checked and
 * durably queued in BullMQ — with a worker draining the queue meanwhile. Closed loop of a few clients,
 * each update new (own update_id, new user). The API's GET /health/live under the same loop is the floor.
 */
export const b8WebhookAck: Benchmark = {
  id: 'B8',
  title: 'webhook mode: POST → 200 (update durably queued), p99',
  async run({ log }) {
    return withEmulator(async (emu) => {
      const port = await freePortOf();
      const env = await benchEnv(emu, { BOT_MODE: 'webhook', PUBLIC_BASE_URL: `http://127.0.0.1:${port}` });
      try {
        const bots = await hostBots(env, emu.client, BOTS);
        const secrets = await Promise.all(bots.map((b) => webhookSecretOf(env, b.botId)));
        const api = await spawnApi(env.vars, port);
        const barePort = await freePortOf();
        const bareServer = await spawnBenchProcess('bare-queue-server.process', {
          REDIS_URL: env.vars.REDIS_URL,
          REDIS_PREFIX: env.vars.REDIS_PREFIX,
          PORT: String(barePort),
          TELEGRAM_BOT_IDS: JSON.stringify(Object.fromEntries(bots.map((b) => [b.botId, b.tg.id]))),
        });
        const worker = await spawnWorker(env.vars);
        let updateId = 1_000;
        const postTo = (base: string) => async (i: number) => {
          const k = i % BOTS;
          const from = newUser();
          const id = ++updateId;
          const res = await fetch(`${base}/telegram/webhook/${bots[k].botId}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secrets[k] },
            body: JSON.stringify({
              update_id: id,
              message: {
                message_id: id,
                date: Math.floor(Date.now() / 1000),
                chat: { id: from.id, type: 'private' },
                from: { ...from, is_bot: false },
                text: '/start',
              },
            }),
          });
          await res.arrayBuffer();
          return res.status === 200;
        };
        const post = postTo(api.base);
        const postBare = postTo(`http://127.0.0.1:${barePort}`);
        const live = async () => {
          const res = await fetch(`${api.base}/health/live`);
          await res.arrayBuffer();
          return res.status === 200;
        };
        try {
          await closedLoop(CONCURRENCY, WARMUP_S, post);
          log(`${CONCURRENCY} clients for ${SECONDS} s`);
          // Ours and the bare server alternate (A B B A) to cancel drift; each half as long as one run.
          const half = SECONDS / 2;
          const runs = [
            await closedLoop(CONCURRENCY, half, post),
            await closedLoop(CONCURRENCY, half, postBare),
            await closedLoop(CONCURRENCY, half, postBare),
            await closedLoop(CONCURRENCY, half, post),
          ];
          const hook = mergeLoops([runs[0], runs[3]]);
          const bare = mergeLoops([runs[1], runs[2]]);
          const floor = await closedLoop(CONCURRENCY, 3, live);
          log(
            `p99 ${hook.p99Ms.toFixed(1)} ms at ${hook.perSecond.toFixed(0)} req/s (bare server p99 ${bare.p99Ms.toFixed(1)} ms, /health/live p99 ${floor.p99Ms.toFixed(1)} ms)`,
          );
          if (hook.failures) throw new Error(`${hook.failures} webhook POSTs did not answer 200`);
          if (bare.failures) throw new Error(`${bare.failures} POSTs to the bare server did not answer 200`);
          return {
            rows: [
              { figure: 'POST → 200 p50', unit: 'ms', value: hook.p50Ms, baseline: bare.p50Ms },
              {
                figure: 'POST → 200 p99',
                unit: 'ms',
                value: hook.p99Ms,
                baseline: bare.p99Ms,
                ratio: hook.p99Ms / bare.p99Ms,
                target: '≤ 2× bare server',
                ok: hook.p99Ms / bare.p99Ms <= 2,
              },
              { figure: 'webhook POSTs per second', unit: 'req/s', value: hook.perSecond, baseline: bare.perSecond },
              { figure: '  GET /health/live p99 (floor)', unit: 'ms', value: floor.p99Ms },
            ],
            setup: {
              bots: BOTS,
              concurrency: CONCURRENCY,
              seconds: SECONDS,
              requests: hook.requests,
              maxMs: hook.maxMs,
              baseline:
                'a bare Node HTTP server adding the same BullMQ job (queue, prefix, name, payload, job id, options) ' +
                'and answering, under the same closed loop, alternating A B B A; GET /health/live of the API as ' +
                'the HTTP floor',
              worker: 'one worker consumes the queue during the run (it answers every /start)',
            },
          };
        } finally {
          await worker.stop();
          await bareServer.stop();
          await api.stop();
        }
      } finally {
        await env.cleanup();
      }
    });
  },
};
