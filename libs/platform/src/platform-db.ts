import { DataSource, EntityManager } from 'typeorm';

export const PLATFORM_DATA_SOURCE = Symbol('PLATFORM_DATA_SOURCE');

/**
 * The explicit cross-tenant path (DATA.md): a small pool as the BYPASSRLS platform role.
 * Only this library uses it — the bot supervisor's "all active bots", token lookups at
 * authentication, onboarding, the operator's writes to a tenant's wallet, platform stats.
 * Tenant-facing libraries cannot import it (ESLint no-restricted-imports).
 */
export class PlatformDb {
  constructor(readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
