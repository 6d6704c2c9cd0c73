import { DataSource } from 'typeorm';
import { ALL_ENTITIES } from './entities/all-entities';
import { MIGRATIONS } from '../../../migrations';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Per-statement timeout so no request hangs forever on a stuck database (RELIABILITY.md 13). */
  statementTimeoutMs?: number;
}

/** A TypeORM data source for one role. synchronize is never on: the schema comes from migrations only. */
export function createDataSource(opts: DataSourceOptions): DataSource {
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
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: opts.statementTimeoutMs ?? 15_000,
      keepAlive: true,
    },
  });
}
