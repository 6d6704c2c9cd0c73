import { cpus, loadavg } from 'node:os';
import { AppProcess, createTestEnv, spawnApp, TestEnv } from '@botfleet/testing';
import { seedRestTenants } from './bench-seeder';
import { spawnBenchProcess } from './bot-bench-kit';
import { freePort, load, LoadResult, waitHttpOk } from './http-load';
import type { Benchmark, BenchRow } from './types';

const CONNECTIONS = 10;
const WARMUP_S = 2;
/** Seconds per measured run. Each endpoint is measured ROUNDS × (RLS, no RLS, bare, bare, no RLS, RLS). */
const RUN_S = 3;
const ROUNDS = 2;
const NOISE_BOTS = 20;
const PLANS_PER_BOT = 20;
const USERS_PER_BOT = 2000;

async function startApi(vars: Record<string, string>): Promise<{ app: AppProcess; base: string }> {
  const port = await freePort();
  const app = spawnApp('api', { ...vars, API_PORT: String(port), API_HOST: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitHttpOk(`${base}/health/ready`);
  } catch (err) {
    await app.kill();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${app.output().slice(-2000)}`);
  }
  return { app, base };
}

/** Averages of throughput and median; the worst p99 of the runs. */
function combine(runs: LoadResult[]): LoadResult {
  const avg = (f: (r: LoadResult) => number) => runs.reduce((s, r) => s + f(r), 0) / runs.length;
  return {
    reqPerSec: avg((r) => r.reqPerSec),
    p50Ms: avg((r) => r.p50Ms),
    p99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    requests: runs.reduce((s, r) => s + r.requests, 0),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
    errors: runs.reduce((s, r) => s + r.errors, 0),
  };
}

/**
 * B6: tenant REST reads per second and p99 with row-level security on, and the same with it off.
 *
 * The baseline is a second API process, same build and settings, whose application pool connects
 * as the platform role (BYPASSRLS) instead of the RLS-bound application role. It runs the very
 * same queries (the repositories still add `bot_id = $1`, the transaction still sets app.bot_id)
 * on the same database and data; the only difference is that PostgreSQL skips the policies. That
 * isolates what RLS costs better than a second database with policies dropped would (different
 * cache state) and never loosens the real database. Runs alternate A B B A to cancel drift.
 */
export const b6RestReads: Benchmark = {
  id: 'B6',
  title: 'REST reads per second and p99: vs a bare Fastify + pg server, and row-level security on vs off',
  async run({ log }) {
    const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
    let env: TestEnv | undefined;
    const apps: AppProcess[] = [];
    const stops: (() => Promise<void>)[] = [];
    try {
      // Swagger is off in production by default; the bench reads the route list from /docs-json.
      env = await createTestEnv({ NODE_ENV: 'production', LOG_LEVEL: 'warn', SWAGGER_ENABLED: 'true' });
      log(`seeding ${NOISE_BOTS + 1} bots × ${PLANS_PER_BOT} plans, ${USERS_PER_BOT} users`);
      const { botId, token } = await seedRestTenants(env, await env.db.owner(), {
        noiseBots: NOISE_BOTS,
        plansPerBot: PLANS_PER_BOT,
        usersPerBot: USERS_PER_BOT,
      });

      log('starting the API twice: application role (RLS) and platform role (no RLS)');
      const rls = await startApi(env.vars);
      apps.push(rls.app);
      const noRls = await startApi({ ...env.vars, DATABASE_URL: env.db.platformUrl });
      apps.push(noRls.app);
      log('starting the bare Fastify + pg server (same transaction, same SELECTs, application role)');
      const barePort = await freePort();
      const bareServer = await spawnBenchProcess('bare-fastify-api.process', {
        DATABASE_URL: env.vars.DATABASE_URL,
        PORT: String(barePort),
        POOL_SIZE: env.vars.DATABASE_POOL_SIZE ?? '20',
      });
      stops.push(() => bareServer.stop());
      const bare = { base: `http://127.0.0.1:${barePort}` };

      const doc = (await (await fetch(`${rls.base}/docs-json`)).json()) as { paths: Record<string, unknown> };
      const hasUsers = '/v1/bots/{botId}/users' in doc.paths;
      const endpoints = [
        { name: 'GET /plans', path: `/v1/bots/${botId}/plans` },
        hasUsers
          ? { name: 'GET /users?page=1', path: `/v1/bots/${botId}/users?page=1&pageSize=20` }
          : { name: 'GET /features', path: `/v1/bots/${botId}/features` },
      ];
      const headers = { authorization: `Bearer ${token}` };

      const rows: BenchRow[] = [];
      const measured: Record<string, { rls: LoadResult; noRls: LoadResult; bare: LoadResult }> = {};
      for (const ep of endpoints) {
        for (const target of [rls, noRls, bare]) {
          const check = await fetch(`${target.base}${ep.path}`, { headers });
          if (check.status !== 200) throw new Error(`${ep.name}: HTTP ${check.status} ${await check.text()}`);
          await load(`${target.base}${ep.path}`, headers, { connections: CONNECTIONS, durationS: WARMUP_S });
        }
        const run = (base: string) =>
          load(`${base}${ep.path}`, headers, { connections: CONNECTIONS, durationS: RUN_S });
        log(`${ep.name}: measuring (${CONNECTIONS} connections, ${ROUNDS * 6} × ${RUN_S} s)`);
        const onRuns: LoadResult[] = [];
        const offRuns: LoadResult[] = [];
        const bareRuns: LoadResult[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          onRuns.push(await run(rls.base));
          offRuns.push(await run(noRls.base));
          bareRuns.push(await run(bare.base));
          bareRuns.push(await run(bare.base));
          offRuns.push(await run(noRls.base));
          onRuns.push(await run(rls.base));
        }
        const on = combine(onRuns);
        const off = combine(offRuns);
        const floor = combine(bareRuns);
        for (const [name, r] of [
          ['RLS', on],
          ['no RLS', off],
          ['bare', floor],
        ] as const) {
          if (r.non2xx || r.errors) throw new Error(`${ep.name} (${name}): non-2xx ${r.non2xx}, errors ${r.errors}`);
        }
        measured[ep.name] = { rls: on, noRls: off, bare: floor };
        const cost = (1 - on.reqPerSec / off.reqPerSec) * 100;
        rows.push(
          {
            figure: `${ep.name} req/s`,
            unit: 'req/s',
            value: on.reqPerSec,
            baseline: floor.reqPerSec,
            ratio: on.reqPerSec / floor.reqPerSec,
            target: '≥ 0.7× bare Fastify+pg',
            ok: on.reqPerSec / floor.reqPerSec >= 0.7,
          },
          {
            figure: `${ep.name} p99`,
            unit: 'ms',
            value: on.p99Ms,
            baseline: floor.p99Ms,
            ratio: on.p99Ms / floor.p99Ms,
          },
          {
            figure: `  ${ep.name} req/s, RLS off`,
            unit: 'req/s',
            value: off.reqPerSec,
            baseline: floor.reqPerSec,
            ratio: off.reqPerSec / floor.reqPerSec,
          },
          { figure: `${ep.name} RLS cost`, unit: '%', value: cost, target: '≤ 10', ok: cost <= 10 },
        );
      }
      return {
        rows,
        setup: {
          connections: CONNECTIONS,
          runSeconds: RUN_S,
          runsPerMode: ROUNDS * 2,
          order: `${ROUNDS} × (RLS, no RLS, bare, bare, no RLS, RLS)`,
          loadAverageAtStart: loadAtStart,
          data: { bots: NOISE_BOTS + 1, plansPerBot: PLANS_PER_BOT, usersPerBot: USERS_PER_BOT },
          auth: 'tenant API token (hash lookup per request)',
          apiEnv: { NODE_ENV: 'production', LOG_LEVEL: 'warn' },
          baselines: {
            ratio:
              'bare Fastify + pg (test/bench/bare-fastify-api.process.ts): per request BEGIN + set_config in one ' +
              'round trip, the same SELECTs, COMMIT, as the application role, same pool size; no auth, no DTOs',
            rlsCost: 'second API process whose app pool connects as the BYPASSRLS platform role',
          },
          measured,
        },
        notes: [
          'Load generator (autocannon), API, PostgreSQL and Redis share the machine; compare ratios, not absolutes.',
          `Load average when B6 started: ${loadAtStart.join(' / ')} on ${cpus().length} cores.`,
          ...(hasUsers ? [] : ['GET /users does not exist yet; GET /features measured instead.']),
        ],
      };
    } finally {
      for (const app of apps) await app.stop();
      for (const stop of stops) await stop();
      await env?.cleanup();
    }
  },
};
