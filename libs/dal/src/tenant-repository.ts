import { DeepPartial, EntityManager, EntityTarget, FindOptionsOrder, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { isUuid } from '@botfleet/common';
import { TenantDb } from './tenant-context';

/** A where clause on a tenant table, without botId: the repository adds it, always. */
export type TenantWhere<E> = Omit<FindOptionsWhere<E>, 'botId'>;
export type TenantInsert<E> = Omit<DeepPartial<E>, 'botId'>;
export type TenantPatch<E> = Omit<QueryDeepPartialEntity<E>, 'botId' | 'id'>;

export interface TenantFindOptions<E> {
  where?: TenantWhere<E> | TenantWhere<E>[];
  order?: FindOptionsOrder<E>;
  skip?: number;
  take?: number;
  lock?: 'pessimistic_write' | 'pessimistic_read';
}

/**
 * Base of every repository on a tenant table. Every method takes the bot id as its first,
 * required argument (forgetting it does not compile) and adds `bot_id = $botId` to every
 * query; the query runs inside the tenant transaction, where RLS enforces the same again.
 */
export class TenantRepository<E extends ObjectLiteral & { botId: string }> {
  constructor(
    protected readonly db: TenantDb,
    protected readonly entity: EntityTarget<E>,
  ) {}

  protected scoped(
    botId: string,
    where?: TenantWhere<E> | TenantWhere<E>[],
  ): FindOptionsWhere<E>[] | FindOptionsWhere<E> {
    const add = (w: TenantWhere<E> | undefined) => ({ ...(w ?? {}), botId }) as FindOptionsWhere<E>;
    return Array.isArray(where) ? where.map(add) : add(where);
  }

  protected withManager<T>(botId: string, fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.within(botId, fn);
  }

  find(botId: string, options: TenantFindOptions<E> = {}): Promise<E[]> {
    return this.withManager(botId, (m) =>
      m.find(this.entity, {
        where: this.scoped(botId, options.where),
        order: options.order,
        skip: options.skip,
        take: options.take,
        lock: options.lock ? { mode: options.lock } : undefined,
      }),
    );
  }

  findAndCount(botId: string, options: TenantFindOptions<E> = {}): Promise<[E[], number]> {
    return this.withManager(botId, async (m) => {
      const where = this.scoped(botId, options.where);
      const items = await m.find(this.entity, { where, order: options.order, skip: options.skip, take: options.take });
      return [items, await this.countWhere(m, where)];
    });
  }

  findOne(botId: string, where: TenantWhere<E>, lock?: 'pessimistic_write'): Promise<E | null> {
    return this.withManager(botId, (m) =>
      m.findOne(this.entity, { where: this.scoped(botId, where), lock: lock ? { mode: lock } : undefined }),
    );
  }

  findById(botId: string, id: string, lock?: 'pessimistic_write'): Promise<E | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.findOne(botId, { id } as unknown as TenantWhere<E>, lock);
  }

  count(botId: string, where?: TenantWhere<E>): Promise<number> {
    return this.withManager(botId, (m) => this.countWhere(m, this.scoped(botId, where)));
  }

  /**
   * `COUNT(*)`: TypeORM's own count is `COUNT(DISTINCT id)`, which sorts every matching id (twice the
   * work for a page of a large table, measured in B6); rows of one table are distinct already.
   */
  protected async countWhere(m: EntityManager, where: FindOptionsWhere<E> | FindOptionsWhere<E>[]): Promise<number> {
    const row = await m
      .createQueryBuilder(this.entity, 'e')
      .select('COUNT(*)', 'n')
      .where(where as ObjectLiteral)
      .getRawOne<{ n: string }>();
    return Number(row?.n ?? 0);
  }

  async insert(botId: string, values: TenantInsert<E>): Promise<E> {
    return this.withManager(botId, async (m) => {
      const row = m.create(this.entity, { ...values, botId } as DeepPartial<E>);
      return m.save(this.entity, row);
    });
  }

  /** Conditional update; returns how many rows changed (0 = the condition no longer held). */
  async update(botId: string, where: TenantWhere<E>, patch: TenantPatch<E>): Promise<number> {
    return this.withManager(botId, async (m) => {
      const res = await m.update(this.entity, this.scoped(botId, where), patch as QueryDeepPartialEntity<E>);
      return res.affected ?? 0;
    });
  }

  async delete(botId: string, where: TenantWhere<E>): Promise<number> {
    return this.withManager(botId, async (m) => {
      const res = await m.delete(this.entity, this.scoped(botId, where));
      return res.affected ?? 0;
    });
  }
}
