import { benchEnv, newUser, percentile, spawnApi, spawnWorker, withEmulator } from './bot-bench-kit';
import type { Benchmark } from './types';

const BOTS = 15;

/**
 * B4: seconds from `POST /v1/bots` returning (201) to the new bot answering `/start`: the API publishes
 * `created`, a worker takes the lease, starts the bot and its poller, the update is handled.
 */
export const b4RegisterToAnswer: Benchmark = {
  id: 'B4',
  title: 'seconds from POST /v1/bots returning to the bot answering /start',
  async run({ log }) {
    return withEmulator(async (emu) => {
      const env = await benchEnv(emu);
      try {
        const api = await spawnApi(env.vars);
        const worker = await spawnWorker(env.vars);
        const seconds: number[] = [];
        try {
          for (let i = 0; i < BOTS; i++) {
            const tg = await emu.client.createBot();
            const res = await fetch(`${api.base}/v1/bots`, {
              method: 'POST',
              headers: { Authorization: `Bearer ${env.masterToken}`, 'Content-Type': 'application/json' },
              body: JSON.stringify({ name: `B4 shop ${i}`, telegramBotToken: tg.token, ownerTelegramId: 900_000 + i }),
            });
            if (res.status !== 201) throw new Error(`POST /v1/bots: HTTP ${res.status} ${await res.text()}`);
            const t0 = performance.now();
            const from = newUser();
            await emu.client.sendText(tg.id, { from, text: '/start' });
            await emu.client.waitForMessages(tg.id, from.id, 1, 15_000);
            seconds.push((performance.now() - t0) / 1000);
          }
        } finally {
          await worker.stop();
          await api.stop();
        }
        const p95 = percentile(seconds, 95);
        log(`p50 ${percentile(seconds, 50).toFixed(2)} s, p95 ${p95.toFixed(2)} s`);
        return {
          rows: [
            { figure: 'register → /start answered, p50', unit: 'ms', value: percentile(seconds, 50) * 1000 },
            {
              figure: 'register → /start answered, p95',
              unit: 'ms',
              value: p95 * 1000,
              target: '≤ 2000',
              ok: p95 <= 2,
            },
            { figure: 'register → /start answered, max', unit: 'ms', value: Math.max(...seconds) * 1000 },
          ],
          setup: {
            bots: BOTS,
            path: 'POST /v1/bots (master token, getMe at the emulator) → bot event → lease → poller → /start handled',
            apps: 'API and worker processes, emulator process',
            samplesS: seconds.map((s) => Math.round(s * 1000) / 1000),
          },
        };
      } finally {
        await env.cleanup();
      }
    });
  },
};
