import { cpus, loadavg } from 'node:os';
import { benchEnv, hostBots, sleep, spawnWorker, startBareBots, waitPolled, withEmulator } from './bot-bench-kit';
import { measureThroughput } from './bot-load';
import type { Benchmark } from './types';

const BOTS = 25;
const UPDATES = 6_000;
const WARMUP = 500;

/** B1's figures, kept for B2 (latency at half of B1's rate) when both run in one `npm run bench`. */
export const b1Results: { ours?: number; bare?: number } = {};

/**
 * B1: `/start` updates per second through one worker (each upserts the user and replies), many bots and
 * chats, against bare Telegraf bots doing the same upsert by hand on the same emulator (its own process).
 */
export const b1UpdatesThroughput: Benchmark = {
  id: 'B1',
  title: 'updates/s through one worker (/start: upsert user + reply), vs bare Telegraf bots',
  async run({ log }) {
    const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
    return withEmulator(async (emu) => {
      const env = await benchEnv(emu);
      try {
        log(`hosting ${BOTS} bots in one worker`);
        const ours = await hostBots(env, emu.client, BOTS);
        const worker = await spawnWorker(env.vars);
        let rate: number;
        try {
          await waitPolled(
            emu.client,
            ours.map((b) => b.tg.id),
          );
          await measureThroughput(emu.client, ours, WARMUP);
          log(`measuring ${UPDATES} updates`);
          rate = await measureThroughput(emu.client, ours, UPDATES);
        } finally {
          await worker.stop();
        }
        log(`worker: ${rate.toFixed(0)} updates/s; now the bare Telegraf bots`);
        const bareBots = await hostBots(env, emu.client, BOTS, 'paused');
        const bare = await startBareBots(env, emu.url, bareBots);
        let base: number;
        try {
          await waitPolled(
            emu.client,
            bareBots.map((b) => b.tg.id),
          );
          await measureThroughput(emu.client, bareBots, WARMUP);
          await sleep(200);
          base = await measureThroughput(emu.client, bareBots, UPDATES);
        } finally {
          await bare.stop();
        }
        b1Results.ours = rate;
        b1Results.bare = base;
        return {
          rows: [
            {
              figure: 'updates/s (/start: upsert + reply)',
              unit: 'upd/s',
              value: rate,
              baseline: base,
              ratio: rate / base,
              target: '≥ 3000, ratio ≥ 0.8',
              ok: rate >= 3000 && rate / base >= 0.8,
            },
          ],
          setup: {
            bots: BOTS,
            updates: UPDATES,
            warmup: WARMUP,
            users: 'one new user per update (insert path)',
            worker: 'one process, defaults (DATABASE_POOL_SIZE 20), NODE_ENV production',
            baseline: 'bare Telegraf bots (bot.launch polling), one upsert + ctx.reply each, platform pool of 20',
            emulator: 'separate process',
            loadAverageAtStart: loadAtStart,
          },
          notes: [
            `Emulator, worker (or bare bots), PostgreSQL and Redis share ${cpus().length} cores.`,
            'Per update the worker also records (bot_id, update_id) in processed_updates in the same tenant transaction.',
          ],
        };
      } finally {
        await env.cleanup();
      }
    });
  },
};
