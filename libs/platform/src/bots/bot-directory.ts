import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { clampCounter } from '@botfleet/common';
import { BOT_ROW_LOCK, BotEntity, SALE_STATUSES_SQL } from '@botfleet/dal';
import { PlatformDb } from '../platform-db';

/** Orders that count as sales (SALE_STATUSES of the order entity), as an SQL list. */
export const SOLD_ORDER_STATUSES = SALE_STATUSES_SQL;

export interface BotDirectoryQuery {
  skip: number;
  take: number;
  status?: BotEntity['status'];
  search?: string;
}

/**
 * Questions about bots asked before any tenant is known or across every tenant (platform path): which bot
 * an API token belongs to, a bot's status, what a webhook request is checked against, the operator's list
 * of bots, and the row lock the operator's changes to one bot take.
 */
@Injectable()
export class BotDirectory {
  constructor(private readonly platform: PlatformDb) {}

  /** The bot whose API token hashes to `sha256`, with its status, unless it was deleted. */
  async tokenOwner(sha256: string): Promise<{ botId: string; status: string } | null> {
    const rows: { id: string; status: string }[] = await this.platform.manager.query(
      `SELECT id, status FROM bots WHERE api_token_hash = $1 AND status <> 'deleted'`,
      [sha256],
    );
    return rows.length === 1 ? { botId: rows[0].id, status: rows[0].status } : null;
  }

  async status(botId: string): Promise<string | null> {
    const rows: { status: string }[] = await this.platform.manager.query(`SELECT status FROM bots WHERE id = $1`, [
      botId,
    ]);
    return rows[0]?.status ?? null;
  }

  /**
   * What a webhook POST for `botId` is checked against (the secret itself is derived, never stored), and the
   * Telegram bot it currently speaks for (update ids are numbered per Telegram bot).
   */
  async webhookInfo(
    botId: string,
  ): Promise<{ status: string; webhookSecretSalt: string; telegramBotId: number } | null> {
    const rows: { status: string; webhook_secret_salt: string; telegram_bot_id: string }[] =
      await this.platform.manager.query(`SELECT status, webhook_secret_salt, telegram_bot_id FROM bots WHERE id = $1`, [
        botId,
      ]);
    if (!rows.length) return null;
    const [row] = rows;
    return {
      status: row.status,
      webhookSecretSalt: row.webhook_secret_salt,
      telegramBotId: Number(row.telegram_bot_id),
    };
  }

  /** Bots newest first (deleted ones only when asked for by status), with the total. */
  async page(q: BotDirectoryQuery): Promise<[BotEntity[], number]> {
    const qb = this.platform.manager.createQueryBuilder(BotEntity, 'b');
    if (q.status) qb.andWhere('b.status = :status', { status: q.status });
    else qb.andWhere(`b.status <> 'deleted'`);
    if (q.search) {
      const like = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere('(b.name ILIKE :like OR b.telegramUsername ILIKE :like)', { like });
    }
    return qb.orderBy('b.createdAt', 'DESC').addOrderBy('b.id', 'DESC').skip(q.skip).take(q.take).getManyAndCount();
  }

  /** Sales count and revenue of the given bots (one grouped query; orders is indexed by bot_id first). */
  async salesOf(botIds: string[]): Promise<Map<string, { count: number; revenue: number }>> {
    const sales = new Map<string, { count: number; revenue: number }>();
    if (!botIds.length) return sales;
    const rows: { bot_id: string; count: string; revenue: string }[] = await this.platform.manager.query(
      `SELECT bot_id, count(*) AS count, coalesce(sum(amount_minor), 0) AS revenue FROM orders
       WHERE bot_id = ANY($1::uuid[]) AND status IN ${SOLD_ORDER_STATUSES} GROUP BY bot_id`,
      [botIds],
    );
    // A sum past 2^53 − 1 saturates: the API shows a safe number, never a rounded one.
    for (const r of rows) sales.set(r.bot_id, { count: Number(r.count), revenue: clampCounter(Number(r.revenue)) });
    return sales;
  }

  /** The bot row locked in the caller's platform transaction, or null when unknown. */
  lock(m: EntityManager, botId: string): Promise<BotEntity | null> {
    return m.findOne(BotEntity, { where: { id: botId }, lock: { mode: BOT_ROW_LOCK } });
  }

  get(m: EntityManager, botId: string): Promise<BotEntity> {
    return m.findOneByOrFail(BotEntity, { id: botId });
  }

  async setStatus(m: EntityManager, botId: string, status: BotEntity['status']): Promise<void> {
    await m.update(BotEntity, { id: botId }, { status });
  }

  /**
   * The live (not deleted) tenant that holds this Telegram bot (by its id or its token's hash), other than
   * `exceptBotId`: who stands in the way of bringing a deleted bot back.
   */
  async liveHolderOf(
    m: EntityManager,
    telegramBotId: number,
    telegramTokenHash: string,
    exceptBotId: string,
  ): Promise<Pick<BotEntity, 'id' | 'name' | 'status' | 'telegramUsername'> | null> {
    const rows: { id: string; name: string; status: BotEntity['status']; telegram_username: string }[] = await m.query(
      `SELECT id, name, status, telegram_username FROM bots
        WHERE (telegram_bot_id = $1 OR telegram_token_hash = $2) AND status <> 'deleted' AND id <> $3
        ORDER BY created_at DESC LIMIT 1`,
      [telegramBotId, telegramTokenHash, exceptBotId],
    );
    return rows.length
      ? { id: rows[0].id, name: rows[0].name, status: rows[0].status, telegramUsername: rows[0].telegram_username }
      : null;
  }

  /** A deleted bot back, paused (its owner resumes it), its API token still cleared. */
  async undelete(m: EntityManager, botId: string): Promise<void> {
    await m.query(
      `UPDATE bots SET status = 'paused', deleted_at = NULL, updated_at = now() WHERE id = $1 AND status = 'deleted'`,
      [botId],
    );
  }
}
