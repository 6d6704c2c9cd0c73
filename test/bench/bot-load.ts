import type { EmulatedBot, TelegramEmulatorClient } from '@botfleet/testing';
import { pushStarts, sleep, waitSent } from './bot-bench-kit';

export interface Hosted {
  tg: EmulatedBot;
  botId: string;
}

/** Round-robin bot ids for n updates. */
const spread = (bots: Hosted[], n: number) => Array.from({ length: n }, (_, i) => bots[i % bots.length].tg.id);

/**
 * Throughput: n `/start` updates from n new users over the bots, all queued at once; updates per second
 * from the first queued to the last reply recorded by the emulator.
 */
export async function measureThroughput(client: TelegramEmulatorClient, bots: Hosted[], n: number): Promise<number> {
  const before = (await client.getStats()).sentMessages;
  const t0 = performance.now();
  await pushStarts(client, spread(bots, n));
  await waitSent(client, before + n, 120_000);
  return n / ((performance.now() - t0) / 1000);
}

export interface LatencyResult {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  offeredRate: number;
}

/**
 * Latency at a steady rate: `/start` from new users pushed every 50 ms for `seconds`, then the emulator's
 * reply-latency figures (from handing an update to the bot to the bot's next message in that chat).
 */
export async function measureLatency(
  client: TelegramEmulatorClient,
  bots: Hosted[],
  rate: number,
  seconds: number,
): Promise<LatencyResult> {
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const ticks = Math.round((seconds * 1000) / tickMs);
  await client.resetStats();
  const before = (await client.getStats()).sentMessages;
  const t0 = performance.now();
  let sent = 0;
  for (let i = 0; i < ticks; i++) {
    await pushStarts(
      client,
      Array.from({ length: perTick }, (_, j) => bots[(sent + j) % bots.length].tg.id),
    );
    sent += perTick;
    const wait = t0 + (i + 1) * tickMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const offeredRate = sent / ((performance.now() - t0) / 1000);
  await waitSent(client, before + sent, 60_000);
  const l = (await client.getStats()).replyLatencyMs;
  return { p50: l.p50, p99: l.p99, max: l.max, samples: l.count, offeredRate };
}
