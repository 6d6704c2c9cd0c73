import { Injectable } from '@nestjs/common';
import { BotEntity } from '../entities/bot.entity';
import { TenantDb } from '../tenant-context';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * A tenant's view of its own `bots` row, through RLS on `id` (the row of another bot is
 * invisible to the application role). Cross-tenant reads of `bots` go through libs/platform.
 */
@Injectable()
export class BotSelfRepository {
  constructor(private readonly db: TenantDb) {}

  get(botId: string, lock?: 'pessimistic_write'): Promise<BotEntity | null> {
    return this.db.within(botId, (m) =>
      m.findOne(BotEntity, { where: { id: botId }, lock: lock ? { mode: lock } : undefined }),
    );
  }

  async update(botId: string, patch: Omit<QueryDeepPartialEntity<BotEntity>, 'id'>): Promise<number> {
    return this.db.within(botId, async (m) => (await m.update(BotEntity, { id: botId }, patch)).affected ?? 0);
  }
}
