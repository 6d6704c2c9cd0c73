import { FastifyAdapter } from '@nestjs/platform-fastify';
import { INestApplication, INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { RedisModule } from '@botfleet/common';
import { ConfigModule } from '@botfleet/config';
import { DalModule } from '@botfleet/dal';
import { JobsModule, QueueName } from '@botfleet/jobs';
import { PanelInput, PanelView } from '@botfleet/operator';
import { PlatformDbModule } from '@botfleet/platform';
import { SecretsModule } from '@botfleet/secrets';
import { applyEnv, createTestEnv, TestEnv, testRedisUrl } from '../apps/test-env';
import { MarzbanEmulator, REMNAWAVE_DEFAULT_SQUAD_UUID, RemnawaveEmulator } from '../panels';
import { TelegramEmulator, TelegramEmulatorOptions } from '../telegram';
import { TestContext } from './test-context';

/** Env for a worker that takes bots over within seconds: short leases, a quick reconcile, short long-polls. */
export const QUICK_BOT_LEASES: Readonly<Record<string, string>> = {
  BOT_LEASE_TTL_MS: '3000',
  BOT_LEASE_RENEW_MS: '1000',
  BOT_ACQUIRE_INTERVAL_MS: '300',
  BOT_RECONCILE_MS: '2000',
  BOT_POLL_TIMEOUT_S: '5',
};

/**
 * Env for a worker hosting bots in a test: quick take-overs, 1 s long-polls, and no sale sweep or traffic sync
 * running between the steps the test takes.
 */
export const HOSTING_WORKER_ENV: Readonly<Record<string, string>> = {
  ...QUICK_BOT_LEASES,
  BOT_POLL_TIMEOUT_S: '1',
  SALE_SWEEP_INTERVAL_MS: '0',
  TRAFFIC_SYNC_INTERVAL_MS: '0',
};

/** The API key of every Remnawave emulator a world starts. */
export const WORLD_REMNAWAVE_API_KEY = 'rw-world-key-3f7d';
/** The admin password of every Marzban emulator a world starts (user `admin`). */
export const WORLD_MARZBAN_PASSWORD = 'mz-world-password-8c2e';

/**
 * A Nest app (not yet initialised) of the given modules and providers on top of the infrastructure every worker
 * module needs (config, secrets, the two pools, Redis, queues), read from `process.env`; e.g.
 * `createWorker: () => createModuleApp({ imports: [ProvisioningWorkerModule] })`.
 */
export async function createModuleApp(
  metadata: Pick<ModuleMetadata, 'imports' | 'providers'>,
): Promise<INestApplication> {
  const mod = await Test.createTestingModule({
    imports: [
      ConfigModule,
      SecretsModule,
      DalModule,
      PlatformDbModule,
      RedisModule,
      JobsModule,
      ...(metadata.imports ?? []),
    ],
    providers: metadata.providers,
  }).compile();
  // The apps run on Fastify (Express is not installed): a module app gets the same adapter.
  return mod.createNestApplication(new FastifyAdapter(), { logger: false });
}

export interface WorkerWorldOptions {
  /** Overrides for `createTestEnv` (TELEGRAM_API_ROOT is set to the world's Telegram emulator when it has one). */
  env?: Record<string, string>;
  /** A Telegram emulator (default: one with default options); `false` for none. */
  telegram?: boolean | TelegramEmulatorOptions;
  /** Panel emulators to start, in order (`rw` / `mz` are the first of each type). */
  panels?: ('remnawave' | 'marzban')[];
  /** The test context's jobs (see `TestContextOptions.jobs`). */
  jobs?: 'shared' | 'detached';
  /** The app to boot (and init) once the context is up, e.g. `createWorkerApp`; see also `startWorker`. */
  createWorker?: () => Promise<INestApplication | INestApplicationContext>;
}

/** The columns of a `subscriptions` row the worker's tests read (bigints as strings). */
export interface SubscriptionRow {
  status: string;
  plan_id: string | null;
  panel_id: string | null;
  panel_username: string | null;
  subscription_url: string | null;
  starts_at: Date | null;
  expires_at: Date | null;
  device_limit: number;
  traffic_limit: string;
  traffic_used: string;
}

/**
 * The scene of an app's integration test (the worker's, or the API's in process: `createWorker: createApiApp`),
 * booted in one call and closed in one call: a Telegram emulator, a
 * fresh environment (database, Redis prefix, secrets) applied to `process.env`, panel emulators, the platform
 * connection (BYPASSRLS, for assertions and for time the product cannot make), a `TestContext` to arrange through
 * the product, and optionally the app under test (libraries never import apps: pass its factory).
 *
 * ```ts
 * world = await WorkerWorld.start({ env: { SALE_SWEEP_INTERVAL_MS: '0' }, panels: ['remnawave'], createWorker: createWorkerApp });
 * const panel = await world.newRemnawavePanel();
 * afterAll(() => world?.close());
 * ```
 */
export class WorkerWorld {
  private readonly apps: (INestApplication | INestApplicationContext)[] = [];
  private readonly contexts: TestContext[] = [];
  private readonly queues: Queue[] = [];

  private constructor(
    private readonly telegramEmulator: TelegramEmulator | undefined,
    readonly env: TestEnv,
    private readonly restoreEnv: () => void,
    readonly remnawaves: RemnawaveEmulator[],
    readonly marzbans: MarzbanEmulator[],
    readonly platform: DataSource,
    readonly ctx: TestContext,
  ) {}

  static async start(options: WorkerWorldOptions = {}): Promise<WorkerWorld> {
    // What is up so far, undone in reverse should a later step fail (the spec's afterAll has no world to close).
    const undo: (() => unknown)[] = [];
    try {
      const telegram =
        options.telegram === false
          ? undefined
          : await TelegramEmulator.start(options.telegram === true ? {} : (options.telegram ?? {}));
      if (telegram) undo.push(() => telegram.close());
      const env = await createTestEnv({ ...(telegram ? { TELEGRAM_API_ROOT: telegram.url } : {}), ...options.env });
      undo.push(() => env.cleanup());
      const restoreEnv = applyEnv(env.vars);
      undo.push(restoreEnv);
      const remnawaves: RemnawaveEmulator[] = [];
      const marzbans: MarzbanEmulator[] = [];
      for (const type of options.panels ?? []) {
        if (type === 'remnawave') remnawaves.push(new RemnawaveEmulator({ apiKey: WORLD_REMNAWAVE_API_KEY }));
        else marzbans.push(new MarzbanEmulator({ password: WORLD_MARZBAN_PASSWORD }));
      }
      undo.push(() => Promise.all([...remnawaves, ...marzbans].map((p) => p.stop().catch(() => undefined))));
      await Promise.all([...remnawaves, ...marzbans].map((p) => p.start()));
      const platform = await env.db.platform();
      const ctx = await TestContext.create({ env, telegram, jobs: options.jobs });
      const world = new WorkerWorld(telegram, env, restoreEnv, remnawaves, marzbans, platform, ctx);
      undo.length = 0;
      undo.push(() => world.close());
      if (options.createWorker) await world.startWorker(options.createWorker);
      return world;
    } catch (err) {
      for (const step of undo.reverse()) {
        try {
          await step();
        } catch {
          // Keep undoing; the first failure is the one reported.
        }
      }
      throw err;
    }
  }

  /** The Telegram emulator (throws when the world was started with `telegram: false`). */
  get telegram(): TelegramEmulator {
    if (!this.telegramEmulator) throw new Error('this world has no Telegram emulator');
    return this.telegramEmulator;
  }

  /** The first Remnawave emulator. */
  get rw(): RemnawaveEmulator {
    return this.remnawaves[0];
  }

  /** The first Marzban emulator. */
  get mz(): MarzbanEmulator {
    return this.marzbans[0];
  }

  /** The first app booted (by `createWorker` or `startWorker`). */
  get worker(): INestApplication {
    return this.apps[0] as INestApplication;
  }

  /** Boots and inits another app; `close()` closes it first. */
  async startWorker<T extends INestApplication | INestApplicationContext>(create: () => Promise<T>): Promise<T> {
    const app = await create();
    this.apps.push(app);
    await app.init();
    // A Fastify app answers injected requests (supertest on getHttpServer()) only once Fastify is ready.
    const http = 'getHttpAdapter' in app ? app.getHttpAdapter() : undefined;
    if (http?.getType() === 'fastify') await (http.getInstance() as { ready(): Promise<unknown> }).ready();
    return app;
  }

  /** Another test context on the same environment (e.g. `{ jobs: 'detached' }`), closed by `close()`. */
  async newContext(options: { jobs?: 'shared' | 'detached' } = {}): Promise<TestContext> {
    const ctx = await TestContext.create({ env: this.env, telegram: this.telegramEmulator, jobs: options.jobs });
    this.contexts.push(ctx);
    return ctx;
  }

  /**
   * A BullMQ client of one of the env's queues, to add jobs or read them: the worker's (default), or with
   * `{ detached: true }` the one a `jobs: 'detached'` context queues to (no consumer reads it). Closed by `close()`.
   */
  queue(name: QueueName, options: { detached?: boolean } = {}): Queue {
    const prefix = options.detached ? `${this.env.redisPrefix}ctx` : this.env.redisPrefix;
    const queue = new Queue(name, {
      connection: { url: testRedisUrl(), maxRetriesPerRequest: null },
      prefix: `${prefix}:q`,
    });
    this.queues.push(queue);
    return queue;
  }

  /** A Remnawave panel on the `index`th emulator, registered by the operator with the emulator's default squad. */
  newRemnawavePanel(input: Partial<PanelInput> = {}, index = 0): Promise<PanelView> {
    return this.ctx.newPanel({
      type: 'remnawave',
      baseUrl: this.remnawaves[index].url,
      credentials: { apiKey: WORLD_REMNAWAVE_API_KEY },
      settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
      ...input,
    });
  }

  /** A Marzban panel on the `index`th emulator (the vless proxy), registered by the operator. */
  newMarzbanPanel(input: Partial<PanelInput> = {}, index = 0): Promise<PanelView> {
    return this.ctx.newPanel({
      type: 'marzban',
      baseUrl: this.marzbans[index].url,
      credentials: { username: 'admin', password: WORLD_MARZBAN_PASSWORD },
      settings: { proxies: { vless: {} } },
      ...input,
    });
  }

  /** The subscription's row as stored. */
  async subscription(id: string): Promise<SubscriptionRow> {
    const [row] = (await this.platform.query(
      `SELECT status, plan_id, panel_id, panel_username, subscription_url, starts_at, expires_at, device_limit,
              traffic_limit_bytes::bigint AS traffic_limit, traffic_used_bytes::bigint AS traffic_used
         FROM subscriptions WHERE id = $1`,
      [id],
    )) as SubscriptionRow[];
    return row;
  }

  /** The order's status as stored. */
  async orderStatus(id: string): Promise<string> {
    const [row] = (await this.platform.query(`SELECT status FROM orders WHERE id = $1`, [id])) as { status: string }[];
    return row.status;
  }

  /** Closes everything it started, the apps first, and removes the environment. */
  async close(): Promise<void> {
    for (const queue of this.queues) await queue.close();
    for (const app of this.apps) await app.close().catch(() => undefined);
    for (const ctx of this.contexts) await ctx.close();
    await this.ctx.close();
    await Promise.all([...this.remnawaves, ...this.marzbans].map((p) => p.stop()));
    this.restoreEnv();
    await this.env.cleanup();
    await this.telegramEmulator?.close();
  }
}
