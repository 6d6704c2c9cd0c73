import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DB_ROLES } from '@botfleet/dal';

const run = promisify(execFile);

/** True when `port` can be bound on 127.0.0.1 right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A port p with p and p + 10000 free (a Redis Cluster node also listens on its bus port, p + 10000). */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 20_000 + Math.floor(Math.random() * 25_000);
    if (taken.has(p) || taken.has(p + 10_000)) continue;
    if ((await portIsFree(p)) && (await portIsFree(p + 10_000))) return p;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
  });
}

export interface LocalRedisCluster {
  /** `host:port` seeds for REDIS_CLUSTER_NODES. */
  nodes: string;
  ports: number[];
  stop(): Promise<void>;
}

/**
 * A real three-master Redis Cluster on free ports (`redis-server --cluster-enabled yes`, then
 * `redis-cli --cluster create`), for tests that prove the queues, leases and bot events run on a cluster.
 * Nothing persists: each node gets a throwaway directory.
 */
export async function startRedisCluster(size = 3): Promise<LocalRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'bf-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < size; i++) {
    const p = await freeClusterPort(taken);
    taken.add(p).add(p + 10_000);
    ports.push(p);
  }
  const children = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '2000',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  );
  const stop = async () => {
    await Promise.all(children.map(stopProcess));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      await waitUntil(
        `redis ${port}`,
        async () => (await run('redis-cli', ['-p', String(port), 'ping'])).stdout.trim() === 'PONG',
        10_000,
      );
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const port of ports) {
      await waitUntil(
        `cluster state at ${port}`,
        async () =>
          (await run('redis-cli', ['-p', String(port), 'cluster', 'info'])).stdout.includes('cluster_state:ok'),
        20_000,
      );
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { nodes: ports.map((p) => `127.0.0.1:${p}`).join(','), ports, stop };
}

export interface LocalPgBouncer {
  port: number;
  /** `url` with its host and port replaced by the pooler's. */
  through(url: string): string;
  stop(): Promise<void>;
}

/**
 * Debian's `pgbouncer` in TRANSACTION pooling mode on a free port in front of the machine's PostgreSQL
 * (127.0.0.1:5432, trust auth): every client transaction may run on a different server connection, and the
 * server connections are few (`poolSize`), so anything that leaks session state between transactions shows.
 */
export async function startPgBouncer(
  options: { poolSize?: number; upstreamPort?: number } = {},
): Promise<LocalPgBouncer> {
  const dir = mkdtempSync(join(tmpdir(), 'bf-pgbouncer-'));
  const port = await freeClusterPort(new Set());
  const ini = [
    '[databases]',
    `* = host=127.0.0.1 port=${options.upstreamPort ?? 5432}`,
    '[pgbouncer]',
    `listen_addr = 127.0.0.1`,
    `listen_port = ${port}`,
    `unix_socket_dir =`,
    'auth_type = trust',
    `auth_file = ${join(dir, 'users.txt')}`,
    'pool_mode = transaction',
    `default_pool_size = ${options.poolSize ?? 4}`,
    'max_client_conn = 500',
    // The apps set these per connection; PgBouncer must let them through (they are tracked per client).
    'ignore_startup_parameters = extra_float_digits,options,statement_timeout,idle_in_transaction_session_timeout',
    'server_reset_query_always = 0',
    `logfile = ${join(dir, 'pgbouncer.log')}`,
    `pidfile = ${join(dir, 'pgbouncer.pid')}`,
    'admin_users = postgres',
  ].join('\n');
  writeFileSync(join(dir, 'pgbouncer.ini'), ini + '\n');
  // trust auth still wants every user name listed (the machine's PostgreSQL trusts 127.0.0.1 behind it).
  const users = [...Object.values(DB_ROLES), 'postgres'];
  writeFileSync(join(dir, 'users.txt'), users.map((u) => `"${u}" ""`).join('\n') + '\n');
  const bin = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p)) ?? 'pgbouncer';
  // pgbouncer refuses to run as root unless told to drop privileges (-u); the machine's services run as root here.
  const asUser = process.getuid?.() === 0 ? ['-u', 'postgres'] : [];
  if (asUser.length) await run('chown', ['-R', 'postgres', dir]);
  const child = spawn(bin, [...asUser, join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  const stop = async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil('pgbouncer', async () => !(await portIsFree(port)), 10_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    port,
    through(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      u.searchParams.delete('host');
      return u.toString();
    },
    stop,
  };
}
