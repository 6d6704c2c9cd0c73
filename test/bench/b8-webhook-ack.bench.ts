import { webhookSecretOf } from '@botfleet/testing';
import {
  benchEnv,
  closedLoop,
  freePortOf,
  hostBots,
  newUser,
  spawnApi,
  spawnWorker,
  withEmulator,
} from './bot-bench-kit';
import type { Benchmark } from './types';

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
        const worker = await spawnWorker(env.vars);
        let updateId = 1_000;
        const post = async (i: number) => {
          const k = i % BOTS;
          const from = newUser();
          const id = ++updateId;
          const res = await fetch(`${api.base}/telegram/webhook/${bots[k].botId}`, {
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
        const live = async () => {
          const res = await fetch(`${api.base}/health/live`);
          await res.arrayBuffer();
          return res.status === 200;
        };
        try {
          await closedLoop(CONCURRENCY, WARMUP_S, post);
          log(`${CONCURRENCY} clients for ${SECONDS} s`);
          const hook = await closedLoop(CONCURRENCY, SECONDS, post);
          const floor = await closedLoop(CONCURRENCY, 3, live);
          log(
            `p99 ${hook.p99Ms.toFixed(1)} ms at ${hook.perSecond.toFixed(0)} req/s (floor p99 ${floor.p99Ms.toFixed(1)} ms)`,
          );
          if (hook.failures) throw new Error(`${hook.failures} webhook POSTs did not answer 200`);
          return {
            rows: [
              { figure: 'POST → 200 p50', unit: 'ms', value: hook.p50Ms, baseline: floor.p50Ms },
              {
                figure: 'POST → 200 p99',
                unit: 'ms',
                value: hook.p99Ms,
                baseline: floor.p99Ms,
                ratio: hook.p99Ms / floor.p99Ms,
                target: '≤ 20',
                ok: hook.p99Ms <= 20,
              },
              { figure: 'webhook POSTs per second', unit: 'req/s', value: hook.perSecond, baseline: floor.perSecond },
            ],
            setup: {
              bots: BOTS,
              concurrency: CONCURRENCY,
              seconds: SECONDS,
              requests: hook.requests,
              maxMs: hook.maxMs,
              baseline: 'GET /health/live of the same API under the same closed loop (the HTTP floor)',
              worker: 'one worker consumes the queue during the run (it answers every /start)',
            },
          };
        } finally {
          await worker.stop();
          await api.stop();
        }
      } finally {
        await env.cleanup();
      }
    });
  },
};
