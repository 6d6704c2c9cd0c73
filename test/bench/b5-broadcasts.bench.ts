import {
  benchEnv,
  hostBots,
  percentile,
  pool,
  pushStarts,
  sleep,
  spawnApi,
  spawnWorker,
  waitPolled,
  waitUntil,
  withEmulator,
} from './bot-bench-kit';
import { insertBotUsers, issueApiToken } from './bench-seeder';
import type { TelegramEmulatorClient } from '@botfleet/testing';
import type { Benchmark, BenchRow } from './types';

/** Sizes: the defaults fit about 90 s; `B5_*` variables give the full-length runs (see README "Benchmarks"). */
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ONE_BOT_USERS = num('B5_ONE_BOT_USERS', 10_000);
const MANY_BOTS = num('B5_BOTS', 50);
const USERS_PER_BOT = num('B5_USERS_PER_BOT', 1_000);
/**
 * Seconds each broadcast is measured for (after a short warm-up), then it is cancelled; the no-broadcast baseline is
 * measured as long. 0 = to the end. 30 s: the other bots' p99 is then the 18th-slowest of ~1,800 replies; over 12 s
 * (the 7th of ~720) the baseline alone swung between 18 and 27 ms from run to run on 2 cores, more than the +20 %
 * the target allows.
 */
const WINDOW_S = num('B5_WINDOW_S', 30);
const OTHER_BOTS = num('B5_OTHER_BOTS', 10);
/** /start updates per second spread over the other bots while the broadcasts run (and in the baseline). */
const OTHER_RATE = num('B5_OTHER_RATE', 60);
/** Telegram's limit the emulator enforces: 429 above this many messages per second per bot. */
const TELEGRAM_LIMIT = 30;

interface Hosted {
  tg: { id: number; token: string; username: string };
  botId: string;
}
interface Tenant extends Hosted {
  token: string;
}

/** Other bots' /start → reply latency (from the emulator's samples: broadcast messages answer no update). */
async function otherBotsLatency(client: TelegramEmulatorClient, others: Hosted[], seconds: number) {
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((OTHER_RATE * tickMs) / 1000));
  const ticks = Math.round((seconds * 1000) / tickMs);
  const t0 = performance.now();
  let sent = 0;
  for (let i = 0; i < ticks; i++) {
    await pushStarts(
      client,
      Array.from({ length: perTick }, (_, j) => others[(sent + j) % others.length].tg.id),
    );
    sent += perTick;
    const wait = t0 + (i + 1) * tickMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await waitUntil(
    'the other bots answered',
    async () => (await client.getStats()).replyLatencyMs.count >= sent,
    60_000,
  );
  const l = (await client.getStats()).replyLatencyMs;
  return { p50: l.p50, p99: l.p99, max: l.max, samples: l.count };
}

async function call(base: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Draft → preview (wait for it) → start, through the public API, for every tenant at once. */
async function startBroadcasts(base: string, tenants: Tenant[]): Promise<string[]> {
  return pool(tenants, 10, async (t) => {
    const path = `/v1/bots/${t.botId}/broadcasts`;
    const draft = await call(base, t.token, 'POST', path, {
      text: '<b>B5</b> new plans &amp; prices',
      audience: { segment: 'all' },
    });
    const id = String(draft.id);
    await waitUntil(
      'the preview',
      async () => (await call(base, t.token, 'GET', `${path}/${id}`)).previewedAt !== null,
      30_000,
      100,
    );
    await call(base, t.token, 'POST', `${path}/${id}/start`);
    return id;
  });
}

/** Messages per second of each broadcasting bot over the window, and 429s, read from the emulator. */
async function measureBroadcast(
  client: TelegramEmulatorClient,
  bots: Tenant[],
  base: string,
  ids: string[],
  others: Hosted[],
  total: number,
) {
  const sentOf = async () => pool(bots, 16, async (b) => (await client.getBotStats(b.tg.id)).sentMessages);
  // Warm-up: every broadcast under way.
  await waitUntil('broadcasts under way', async () => (await sentOf()).every((n) => n >= 30), 60_000, 200);
  await client.resetStats();
  const t0 = performance.now();
  const windowS = WINDOW_S > 0 ? WINDOW_S : Math.ceil(total / 25) + 5;
  const latency = await otherBotsLatency(client, others, windowS);
  const elapsedS = (performance.now() - t0) / 1000;
  const sent = await sentOf();
  const rates = sent.map((n) => n / elapsedS);
  const stats = await pool(bots, 16, (b) => client.getBotStats(b.tg.id));
  const status429 = (await client.getStats()).status429;
  await pool(bots, 10, (b, i) =>
    call(base, b.token, 'POST', `/v1/bots/${b.botId}/broadcasts/${ids[i]}/cancel`).catch(() => undefined),
  );
  return {
    minRate: Math.min(...rates),
    medianRate: percentile(rates, 50),
    maxRate: Math.max(...rates),
    status429,
    bot429: stats.reduce((a, s) => a + s.status429, 0),
    latency,
    elapsedS,
  };
}

/**
 * B5: broadcasts at Telegram's pace. The emulator answers 429 above 30 messages/s per bot; the worker sends a
 * broadcast to 10,000 users of one bot, then to 1,000 users each of 50 bots at once, while 10 other bots
 * answer /start: msg/s per broadcasting bot, 429s, and the other bots' reply p99 against a baseline run of
 * the same load without broadcasts. Each broadcast is measured over a fixed window of its full-size run
 * (10,000 at 25.5/s would take 6.5 minutes), then cancelled.
 */
export const b5Broadcasts: Benchmark = {
  id: 'B5',
  title: 'broadcasts under a 30 msg/s per-bot limit: msg/s per bot, 429s, other bots’ reply p99',
  async run({ log }) {
    return withEmulator(async (emu) => {
      const client = emu.client;
      // The production send budget: 25.5/s per bot, a bucket of 4, 2 of them kept for answers.
      const env = await benchEnv(emu, {
        TELEGRAM_BOT_MSGS_PER_S: '25.5',
        TELEGRAM_BOT_BURST: '4',
        TELEGRAM_BULK_RESERVE: '2',
        BROADCAST_PROGRESS_EVERY_MS: '5000',
      });
      try {
        await client.setFaults('global', { rateLimit: { perSecond: TELEGRAM_LIMIT, retryAfter: 1 } });
        log(`hosting 1 + ${MANY_BOTS} broadcasting bots and ${OTHER_BOTS} others`);
        const hosted = await hostBots(env, client, 1 + MANY_BOTS + OTHER_BOTS);
        const tenants: Tenant[] = [];
        for (const [i, h] of hosted.slice(0, 1 + MANY_BOTS).entries()) {
          const users = i === 0 ? ONE_BOT_USERS : USERS_PER_BOT;
          await insertBotUsers(env, h.botId, users, 2_000_000_000 + i * 100_000);
          tenants.push({ ...h, token: await issueApiToken(env, h.botId) });
        }
        const others = hosted.slice(1 + MANY_BOTS);
        const api = await spawnApi(env.vars);
        const worker = await spawnWorker(env.vars);
        try {
          await waitPolled(
            client,
            hosted.map((b) => b.tg.id),
          );
          await otherBotsLatency(client, others, 2); // warm-up
          await client.resetStats();
          log(`baseline: other bots at ${OTHER_RATE} /start per second, no broadcast`);
          const base = await otherBotsLatency(client, others, WINDOW_S > 0 ? WINDOW_S : 15);
          const baseline429 = (await client.getStats()).status429;

          log(`one bot broadcasting to ${ONE_BOT_USERS} users`);
          const one = tenants.slice(0, 1);
          const oneRun = await measureBroadcast(
            client,
            one,
            api.base,
            await startBroadcasts(api.base, one),
            others,
            ONE_BOT_USERS,
          );
          log(`${MANY_BOTS} bots broadcasting to ${USERS_PER_BOT} users each`);
          const many = tenants.slice(1);
          const manyRun = await measureBroadcast(
            client,
            many,
            api.base,
            await startBroadcasts(api.base, many),
            others,
            USERS_PER_BOT,
          );

          const p99Target = base.p99 * 1.2;
          const rows: BenchRow[] = [
            {
              figure: `1 bot → ${ONE_BOT_USERS} users: msg/s`,
              unit: 'msg/s',
              value: round(oneRun.minRate),
              baseline: TELEGRAM_LIMIT,
              target: '≥ 25',
              ok: oneRun.minRate >= 25,
            },
            {
              figure: `${MANY_BOTS} bots → ${USERS_PER_BOT} users each: slowest bot msg/s`,
              unit: 'msg/s',
              value: round(manyRun.minRate),
              baseline: TELEGRAM_LIMIT,
              target: '≥ 25',
              ok: manyRun.minRate >= 25,
            },
            {
              figure: '429s received (both runs)',
              unit: 'count',
              value: oneRun.status429 + manyRun.status429,
              target: '0',
              ok: oneRun.status429 + manyRun.status429 === 0,
            },
            {
              figure: 'other bots p99 /start → reply, 1 bot broadcasting',
              unit: 'ms',
              value: oneRun.latency.p99,
              baseline: base.p99,
              ratio: oneRun.latency.p99 / base.p99,
              target: '≤ +20 %',
              ok: oneRun.latency.p99 <= p99Target,
            },
            {
              figure: `other bots p99 /start → reply, ${MANY_BOTS} bots broadcasting`,
              unit: 'ms',
              value: manyRun.latency.p99,
              baseline: base.p99,
              ratio: manyRun.latency.p99 / base.p99,
              target: '≤ +20 %',
              ok: manyRun.latency.p99 <= p99Target,
            },
          ];
          return {
            rows,
            setup: {
              telegramLimit: `429 above ${TELEGRAM_LIMIT} msg/s per bot (emulator, sliding 1 s window)`,
              budget: { perSecond: 25.5, burst: 4, bulkReserve: 2 },
              windowS: { one: round(oneRun.elapsedS), many: round(manyRun.elapsedS) },
              oneBot: { msgPerS: round(oneRun.minRate), status429: oneRun.status429 },
              manyBots: {
                min: round(manyRun.minRate),
                median: round(manyRun.medianRate),
                max: round(manyRun.maxRate),
                status429: manyRun.status429,
              },
              others: {
                bots: OTHER_BOTS,
                startsPerS: OTHER_RATE,
                baseline: base,
                oneBot: oneRun.latency,
                manyBots: manyRun.latency,
              },
              baseline429: baseline429,
            },
            notes: [
              'Each broadcast is measured over a fixed window of its full-size run, then cancelled; ' +
                'B5_WINDOW_S=0 runs them to the end (about 7 minutes for 10,000 users at 25.5/s).',
            ],
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

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
