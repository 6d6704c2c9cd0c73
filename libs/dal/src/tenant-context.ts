import { Injectable, Logger } from '@nestjs/common';
import { ClsService, ClsServiceManager } from 'nestjs-cls';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { CLS_BOT_ID, DependencyTimeoutError, isUuid } from '@botfleet/common';

export const TENANT_TX = 'botfleet.tenantTx';
export const APP_DATA_SOURCE = Symbol('APP_DATA_SOURCE');

export interface TenantTx {
  readonly botId: string;
  readonly manager: EntityManager;
  /** Runs `fn` after the outermost transaction commits (never if it rolls back). */
  afterCommit(fn: () => Promise<void>): void;
}

/**
 * Statements a repository asks to run first in a tenant transaction, sent in the same round trip as `BEGIN`
 * (the simple protocol: no parameters, so a repository inlines only values it has validated — ids, integers —
 * or quoted with the driver's `escapeLiteral`). `runOpening` hands the rows of each statement to the work, in
 * order.
 */
export interface OpeningStatement {
  readonly sql: string | readonly string[];
}

const statementsOf = (opening: OpeningStatement | null): readonly string[] =>
  opening === null ? [] : typeof opening.sql === 'string' ? [opening.sql] : opening.sql;

export class TenantContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TenantContextError';
  }
}

export function assertBotId(botId: string): void {
  if (!isUuid(botId)) throw new TenantContextError('A valid bot id is required');
}

/**
 * The one way tenant code reaches the database. `run(botId, work)` opens a transaction as the
 * application role, sets `app.bot_id` for that transaction only (so it cannot leak through the
 * pool) and keeps the transaction in async local storage, so repositories called anywhere inside
 * `work` (HTTP handler, Telegram handler, queue job) join it. Row-level security does the rest.
 */
@Injectable()
export class TenantDb {
  private readonly logger = new Logger('TenantDb');

  constructor(
    private readonly dataSource: DataSource,
    private readonly cls: ClsService = ClsServiceManager.getClsService(),
  ) {}

  /** The current tenant transaction, if any. */
  current(): TenantTx | undefined {
    return this.cls.isActive() ? this.cls.get<TenantTx | undefined>(TENANT_TX) : undefined;
  }

  async run<T>(botId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    return this.runOpening(botId, null, (tx) => work(tx));
  }

  /**
   * `run`, with `opening` run first in the transaction — in the same round trip as `BEGIN` when the
   * transaction is new (the hot path of every update: one round trip less) — and its rows given to `work`.
   */
  async runOpening<T>(
    botId: string,
    opening: OpeningStatement | null,
    work: (tx: TenantTx, rows: unknown[][]) => Promise<T>,
  ): Promise<T> {
    assertBotId(botId);
    const current = this.current();
    if (current) {
      if (current.botId !== botId) {
        throw new TenantContextError('A tenant transaction for another bot is already open in this context');
      }
      const rows: unknown[][] = [];
      for (const sql of statementsOf(opening)) rows.push((await current.manager.query(sql)) as unknown[]);
      return work(current, rows);
    }
    const hooks: (() => Promise<void>)[] = [];
    const result = await this.cls.run({ ifNested: 'inherit' }, () =>
      this.transaction(botId, opening, async (manager, rows) => {
        const tx: TenantTx = { botId, manager, afterCommit: (fn) => hooks.push(fn) };
        this.cls.set(TENANT_TX, tx);
        this.cls.set(CLS_BOT_ID, botId);
        try {
          return await work(tx, rows);
        } finally {
          this.cls.set(TENANT_TX, undefined);
        }
      }),
    );
    // Side effects that must not be seen before the data they describe (queue jobs, notifications).
    // A failure here cannot undo the commit: it is logged, and sweepers cover what matters (provisioning).
    for (const hook of hooks) {
      try {
        await hook();
      } catch (e) {
        this.logger.error({ err: e, botId }, 'after-commit hook failed');
      }
    }
    return result;
  }

  /**
   * One transaction on one pooled connection with `app.bot_id` set for it. `BEGIN`, `set_config` and the
   * opening statement, if any, go to PostgreSQL as one simple-protocol round trip (the bot id is a validated
   * UUID, so it can be inlined): every tenant unit of work pays one round trip less (the hot path of every
   * update and request), an update's claim one more. Should TypeORM ever open transactions with other SQL, the
   * id is set and the opening run by separate statements instead.
   */
  private async transaction<T>(
    botId: string,
    opening: OpeningStatement | null,
    work: (manager: EntityManager, rows: unknown[][]) => Promise<T>,
  ): Promise<T> {
    assertBotId(botId);
    const runner = this.dataSource.createQueryRunner();
    const query = runner.query.bind(runner) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
    const statements = statementsOf(opening);
    let bound = false;
    let openingRows: unknown[][] = [];
    runner.query = ((sql: string, ...rest: unknown[]) => {
      if (!bound && sql === 'START TRANSACTION') {
        bound = true;
        const begin = `START TRANSACTION; SELECT set_config('app.bot_id', '${botId}', true)`;
        if (!statements.length) return query(begin);
        // Several statements answer several results, which TypeORM's query does not return: the driver's own.
        return (async () => {
          const client = (await runner.connect()) as { query(sql: string): Promise<{ rows: unknown[] }[]> };
          const results = await client.query([begin, ...statements].join('; '));
          openingRows = results.slice(2).map((r) => r.rows);
        })();
      }
      return query(sql, ...rest);
    }) as typeof runner.query;
    try {
      await runner.startTransaction();
      if (!bound) {
        bound = true;
        await runner.query(`SELECT set_config('app.bot_id', $1, true)`, [botId]);
        for (const sql of statements) openingRows.push((await runner.query(sql)) as unknown[]);
      }
      const result = await work(runner.manager, openingRows);
      await runner.commitTransaction();
      return result;
    } catch (err) {
      if (isNoAnswer(err)) {
        // The connection gave no answer (query_timeout): a ROLLBACK would wait behind the hung query, and back in
        // the pool it would carry it. Closing it makes PostgreSQL roll back; the request answers at once.
        discardConnection(runner, err);
      } else if (runner.isTransactionActive) {
        await runner
          .rollbackTransaction()
          .catch((e: unknown) => this.logger.warn({ err: e, botId }, 'rollback failed'));
      }
      throw err;
    } finally {
      await runner.release();
    }
  }

  /** Runs `fn` after the current transaction for `botId` commits, or now when there is none. */
  async afterCommit(botId: string, fn: () => Promise<void>): Promise<void> {
    const current = this.current();
    if (current && current.botId === botId) current.afterCommit(fn);
    else await fn();
  }

  /**
   * Like `run`, but inside an already open transaction the work gets its own savepoint: when it
   * throws, only its writes are undone and the caller may catch the error and carry on (a bot
   * handler that turns ALREADY_REVIEWED into a message). Outside a transaction it is `run`.
   */
  async atomic<T>(botId: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    const current = this.current();
    if (!current) return this.run(botId, work);
    if (current.botId !== botId) {
      throw new TenantContextError('A tenant transaction for another bot is already open in this context');
    }
    // After-commit hooks registered inside the savepoint belong to its writes: kept if it succeeds,
    // dropped with its writes if it throws (no job or message for a change that was undone).
    const pending: (() => Promise<void>)[] = [];
    const inner: TenantTx = { botId, manager: current.manager, afterCommit: (fn) => pending.push(fn) };
    this.cls.set(TENANT_TX, inner);
    try {
      const result = await current.manager.transaction(() => work(inner));
      for (const fn of pending) current.afterCommit(fn);
      return result;
    } finally {
      this.cls.set(TENANT_TX, current);
    }
  }

  /** Runs `fn` with the manager of the current transaction for `botId`, opening one if needed. */
  within<T>(botId: string, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.run(botId, (tx) => fn(tx.manager));
  }
}

/** node-postgres' query_timeout, or the circuit breaker gave up on it: the query was sent and nothing came back in time. */
function isNoAnswer(err: unknown): boolean {
  const driverError = (err as { driverError?: unknown } | undefined)?.driverError;
  if (err instanceof DependencyTimeoutError || driverError instanceof DependencyTimeoutError) return true;
  return err instanceof Error && /Query read timeout/.test(err.message);
}

/** Gives the connection back to the pool with the error, so the pool closes it instead of reusing it. */
function discardConnection(runner: QueryRunner, err: unknown): void {
  const r = runner as unknown as { releasePostgresConnection?: (e: unknown) => Promise<void> };
  void r.releasePostgresConnection?.(err);
}
