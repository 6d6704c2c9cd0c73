import { DataSource } from 'typeorm';
import { ALL_ENTITIES } from './entities/all-entities';
import { MIGRATIONS } from '../../../migrations';
import { PgCircuitBreaker, PgCircuitBreakerOptions } from './pg-circuit-breaker';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Per-statement timeout so no request hangs forever on a stuck database (RELIABILITY.md 13). */
  statementTimeoutMs?: number;
  /** How long to wait for a pooled connection before failing (a transient error: 503 / retried update). */
  connectTimeoutMs?: number;
  /** Client-side limit per query: fires also when the server or the network hangs (no answer at all). */
  queryTimeoutMs?: number;
  /** PostgreSQL ends a session left idle inside a transaction this long. */
  idleInTransactionTimeoutMs?: number;
  /**
   * The application's pools (not migrations or test set-up): a query or connection left without an answer makes
   * PostgreSQL suspect and a probe decides whether to give up on it (pg-circuit-breaker.ts).
   */
  circuitBreaker?: boolean | PgCircuitBreakerOptions;
}

/** A TypeORM data source for one role. synchronize is never on: the schema comes from migrations only. */
export function createDataSource(opts: DataSourceOptions): DataSource {
  const breaker = opts.circuitBreaker
    ? new PgCircuitBreaker(opts.circuitBreaker === true ? {} : opts.circuitBreaker)
    : undefined;
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    entities: ALL_ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: opts.applicationName ?? 'botfleet',
    poolSize: opts.poolSize ?? 10,
    extra: {
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: opts.statementTimeoutMs ?? 15_000,
      query_timeout: opts.queryTimeoutMs ?? (opts.statementTimeoutMs ?? 15_000) + 1_000,
      idle_in_transaction_session_timeout: opts.idleInTransactionTimeoutMs ?? 60_000,
      keepAlive: true,
      ...(breaker ? { Client: breaker.clientClass() } : {}),
    },
  });
}
