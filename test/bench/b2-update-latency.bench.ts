import {
  BareFramework,
  benchEnv,
  hostBots,
  spawnWorker,
  startBareBots,
  waitPolled,
  withEmulator,
} from './bot-bench-kit';
import { b1Results } from './b1-updates-throughput.bench';
import { measureLatency, measureThroughput } from './bot-load';
import type { Benchmark } from './types';

const BOTS = 25;
const SECONDS = 6;

/**
 * B2: p50/p99 from the emulator handing an update to the bot to the bot's reply, at half of B1's rate
 * (the lower of worker and bare bots, so both face the same load); bare Telegraf bots as the baseline.
 */
export const b2UpdateLatency: Benchmark = {
  id: 'B2',
  title: 'update → reply latency at half of B1 rate, vs bare Telegraf bots and grammY + runner',
  async run({ log }) {
    return withEmulator(async (emu) => {
      const env = await benchEnv(emu);
      try {
        const ours = await hostBots(env, emu.client, BOTS);
        const worker = await spawnWorker(env.vars);
        let mine;
        let rate: number;
        try {
          await waitPolled(
            emu.client,
            ours.map((b) => b.tg.id),
          );
          if (b1Results.ours && b1Results.bare && b1Results.grammy) {
            rate = Math.min(b1Results.ours, b1Results.bare, b1Results.grammy) / 2;
          } else {
            log('B1 did not run in this process: a short throughput run first');
            rate = (await measureThroughput(emu.client, ours, 2_000)) / 2;
          }
          await measureThroughput(emu.client, ours, 300);
          log(`worker at ${rate.toFixed(0)} updates/s for ${SECONDS} s`);
          mine = await measureLatency(emu.client, ours, rate, SECONDS);
        } finally {
          await worker.stop();
        }
        const bareLatency = async (framework: BareFramework) => {
          const bareBots = await hostBots(env, emu.client, BOTS, 'paused');
          const bare = await startBareBots(env, emu.url, bareBots, framework);
          try {
            await waitPolled(
              emu.client,
              bareBots.map((b) => b.tg.id),
            );
            await measureThroughput(emu.client, bareBots, 300);
            log(`bare ${framework} bots at ${rate.toFixed(0)} updates/s for ${SECONDS} s`);
            return await measureLatency(emu.client, bareBots, rate, SECONDS);
          } finally {
            await bare.stop();
          }
        };
        const telegraf = await bareLatency('telegraf');
        const grammy = await bareLatency('grammy');
        const base = telegraf.p99 <= grammy.p99 ? telegraf : grammy;
        const baseName = base === telegraf ? 'Telegraf' : 'grammY';
        return {
          rows: [
            { figure: 'p50 update → reply', unit: 'ms', value: mine.p50, baseline: base.p50 },
            {
              figure: 'p99 update → reply',
              unit: 'ms',
              value: mine.p99,
              baseline: base.p99,
              ratio: mine.p99 / base.p99,
              target: '≤ 1.5× better baseline',
              ok: mine.p99 / base.p99 <= 1.5,
            },
            { figure: '  p99 baseline: bare Telegraf', unit: 'ms', value: telegraf.p99 },
            { figure: '  p99 baseline: grammY + runner', unit: 'ms', value: grammy.p99 },
          ],
          setup: {
            bots: BOTS,
            targetRate: Math.round(rate),
            betterBaseline: baseName,
            offeredRate: {
              worker: Math.round(mine.offeredRate),
              telegraf: Math.round(telegraf.offeredRate),
              grammy: Math.round(grammy.offeredRate),
            },
            seconds: SECONDS,
            samples: { worker: mine.samples, telegraf: telegraf.samples, grammy: grammy.samples },
            max: { worker: mine.max, telegraf: telegraf.max, grammy: grammy.max },
            measuredBy: 'the emulator: from handing the update out in getUpdates to the next bot message in that chat',
          },
        };
      } finally {
        await env.cleanup();
      }
    });
  },
};
