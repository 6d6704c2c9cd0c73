import { cpus, loadavg } from 'node:os';
import {
  BareFramework,
  benchEnv,
  hostBots,
  sleep,
  spawnWorker,
  startBareBots,
  waitPolled,
  withEmulator,
} from './bot-bench-kit';
import { measureThroughput } from './bot-load';
import type { Benchmark } from './types';

const BOTS = 25;
const UPDATES = 6_000;
const WARMUP = 500;

/** B1's figures, kept for B2 (latency at half of B1's rate) when both run in one `npm run bench`. */
export const b1Results: { ours?: number; bare?: number; grammy?: number } = {};

/** Updates/s of bare bots of one framework on the same emulator and bot count (a fresh set of bots). */
export async function measureBare(
  env: Awaited<ReturnType<typeof benchEnv>>,
  emu: { client: Parameters<typeof hostBots>[1]; url: string },
  framework: BareFramework,
  updates: number,
): Promise<number> {
  const bareBots = await hostBots(env, emu.client, BOTS, 'paused');
  const bare = await startBareBots(env, emu.url, bareBots, framework);
  try {
    await waitPolled(
      emu.client,
      bareBots.map((b) => b.tg.id),
    );
    await measureThroughput(emu.client, bareBots, WARMUP);
    await sleep(200);
    return await measureThroughput(emu.client, bareBots, updates);
  } finally {
    await bare.stop();
  }
}

/**
 * B1: `/start` updates per second through one worker (each upserts the user and replies), many bots and
 * chats, against bare Telegraf bots doing the same upsert by hand on the same emulator (its own process).
 */
export const b1UpdatesThroughput: Benchmark = {
  id: 'B1',
  title: 'updates/s through one worker (/start: upsert user + reply), vs bare Telegraf bots and grammY + runner',
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
        const telegraf = await measureBare(env, emu, 'telegraf', UPDATES);
        log(`bare Telegraf: ${telegraf.toFixed(0)} updates/s; now grammY + runner`);
        const grammy = await measureBare(env, emu, 'grammy', UPDATES);
        log(`grammY + runner: ${grammy.toFixed(0)} updates/s`);
        b1Results.ours = rate;
        b1Results.bare = telegraf;
        b1Results.grammy = grammy;
        const best = Math.max(telegraf, grammy);
        return {
          rows: [
            {
              figure: 'updates/s (/start: upsert + reply)',
              unit: 'upd/s',
              value: rate,
              baseline: best,
              ratio: rate / best,
              target: '≥ 1.0× better baseline',
              ok: rate / best >= 1.0,
            },
            { figure: '  baseline: bare Telegraf', unit: 'upd/s', value: telegraf, ratio: rate / telegraf },
            { figure: '  baseline: grammY + runner', unit: 'upd/s', value: grammy, ratio: rate / grammy },
          ],
          setup: {
            bots: BOTS,
            updates: UPDATES,
            warmup: WARMUP,
            users: 'one new user per update (insert path)',
            worker: 'one process, defaults (DATABASE_POOL_SIZE 20), NODE_ENV production',
            baseline:
              'the better of bare Telegraf bots (bot.launch polling) and grammY bots (@grammyjs/runner), one upsert + ' +
              'reply each, platform pool of 20, each on a fresh set of the same number of bots',
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
