import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClsModule, ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { CLS_REQUEST_ID } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { createDataSource } from './data-source';
import { APP_DATA_SOURCE, TenantDb } from './tenant-context';
import { TenantRepositories } from './tenant-repositories';
import { DAL_REPOSITORIES } from './repositories';
import { DatabasePing } from './database-ping';

/**
 * nestjs-cls with its HTTP middleware only. The library also registers a global guard and a global interceptor,
 * which do nothing unless mounted; but one global interceptor, even a no-op, makes Nest run every request
 * through its RxJS interceptor chain (an Observable, AsyncResource binds). Dropping the two no-op enhancers and
 * the per-request plugin initialisation (we use no plugins) takes that cost off every API call.
 */
export function clsByMiddlewareOnly(): DynamicModule {
  const mod = ClsModule.forRoot({
    global: true,
    middleware: {
      mount: true,
      initializePlugins: false,
      // The request's id (Fastify's, copied to the raw request by middie) on every log line written while it runs.
      setup: (cls, req: { id?: unknown }) => {
        if (req.id !== undefined) cls.set(CLS_REQUEST_ID, String(req.id));
      },
    },
  });
  const noopEnhancer = (p: Provider) =>
    typeof p === 'object' && 'provide' in p && (p.provide === APP_GUARD || p.provide === APP_INTERCEPTOR);
  for (const imported of mod.imports ?? []) {
    const root = imported as DynamicModule;
    if (root.providers) root.providers = root.providers.filter((p) => !noopEnhancer(p));
  }
  return mod;
}

/** The application-role connection (owns nothing, NOBYPASSRLS) and the tenant unit of work. */
@Global()
@Module({
  // The middleware opens a CLS context per HTTP request, so the auth guard can keep the caller and
  // the tenant id in it (outside HTTP, TenantDb.run opens its own context).
  imports: [clsByMiddlewareOnly()],
  providers: [
    {
      provide: APP_DATA_SOURCE,
      inject: [AppConfig],
      useFactory: async (c: AppConfig) =>
        createDataSource({
          url: c.DATABASE_URL,
          poolSize: c.DATABASE_POOL_SIZE,
          applicationName: 'botfleet-app',
          connectTimeoutMs: c.DATABASE_CONNECT_TIMEOUT_MS,
          statementTimeoutMs: c.DATABASE_STATEMENT_TIMEOUT_MS,
          queryTimeoutMs: c.DATABASE_QUERY_TIMEOUT_MS,
          idleInTransactionTimeoutMs: c.DATABASE_IDLE_IN_TX_TIMEOUT_MS,
          circuitBreaker: true,
        }).initialize(),
    },
    { provide: DataSource, useExisting: APP_DATA_SOURCE },
    {
      provide: TenantDb,
      inject: [APP_DATA_SOURCE, ClsService],
      useFactory: (ds: DataSource, cls: ClsService) => new TenantDb(ds, cls),
    },
    TenantRepositories,
    DatabasePing,
    ...DAL_REPOSITORIES,
  ],
  exports: [APP_DATA_SOURCE, DataSource, TenantDb, TenantRepositories, DatabasePing, ...DAL_REPOSITORIES],
})
export class DalModule implements OnApplicationShutdown {
  constructor(@Inject(APP_DATA_SOURCE) private readonly ds: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
