import Redis from 'ioredis';
import { testRedisUrl } from '@botfleet/testing';
import {
  benchEnv,
  hostBots,
  newUser,
  percentile,
  sleep,
  spawnWorker,
  waitPolled,
  waitUntil,
  withEmulator,
} from './bot-bench-kit';
import type { Benchmark } from './types';

const BOTS = 20;

/**
 * B7: two workers with the production lease settings (TTL 10 s, renew 3 s, acquire every 1 s) share the
 * bots; one gets `kill -9`; seconds until the other answers for each of its bots. Telegram (the emulator)
 * counts 409s over the whole run, steady state and takeover included.
 */
export const b7Takeover: Benchmark = {
  id: 'B7',
  title: 'seconds until another worker answers after kill -9 (production lease settings)',
  async run({ log }) {
    return withEmulator(async (emu) => {
      const env = await benchEnv(emu);
      const redis = new Redis(testRedisUrl());
      try {
        const bots = await hostBots(env, emu.client, BOTS);
        const [a, b] = await Promise.all([spawnWorker(env.vars), spawnWorker(env.vars)]);
        try {
          const holderOf = async () => {
            const values = await redis.mget(...bots.map((x) => `${env.redisPrefix}:bot-lease:${x.botId}`));
            return values.map((v) => (v ? v.slice(0, v.lastIndexOf(':')) : null));
          };
          await waitUntil(
            'both workers hold bots',
            async () => new Set((await holderOf()).filter(Boolean)).size === 2 && (await holderOf()).every(Boolean),
            60_000,
            500,
          );
          await waitPolled(
            emu.client,
            bots.map((x) => x.tg.id),
          );
          await sleep(3_000); // steady state for a few renewals
          const before409 = (await emu.client.getStats()).status409;
          const aId = /worker_id="([^"]+)"/.exec(await a.metrics())![1];
          const holders = await holderOf();
          const mine = bots.filter((_, i) => holders[i] === aId);
          log(`kill -9 of a worker holding ${mine.length} of ${BOTS} bots`);
          const t0 = performance.now();
          await a.kill();
          const seconds = await Promise.all(
            mine.map(async ({ tg }) => {
              const from = newUser();
              await emu.client.sendText(tg.id, { from, text: '/start' });
              await emu.client.waitForMessages(tg.id, from.id, 1, 30_000);
              return (performance.now() - t0) / 1000;
            }),
          );
          const after409 = (await emu.client.getStats()).status409;
          const worst = Math.max(...seconds);
          log(`all answered after ${worst.toFixed(1)} s; 409s: ${after409}`);
          return {
            rows: [
              { figure: 'kill -9 → answered again, p50', unit: 's', value: percentile(seconds, 50) },
              { figure: 'kill -9 → answered again, max', unit: 's', value: worst, target: '≤ 15', ok: worst <= 15 },
              {
                figure: '409s from Telegram (whole run)',
                unit: 'count',
                value: after409,
                baseline: before409,
                target: '0',
                ok: after409 === 0,
              },
            ],
            setup: {
              bots: BOTS,
              workers: 2,
              victimBots: mine.length,
              lease: { ttlMs: 10_000, renewMs: 3_000, acquireEveryMs: 1_000 },
              survivorTakeovers: await b.metric('botfleet_bot_lease_takeovers_total'),
            },
            notes: ['Worst case is about TTL after the last renewal, plus one acquire round and the first poll.'],
          };
        } finally {
          await Promise.all([a.kill(), b.stop()]);
        }
      } finally {
        redis.disconnect();
        await env.cleanup();
      }
    });
  },
};
