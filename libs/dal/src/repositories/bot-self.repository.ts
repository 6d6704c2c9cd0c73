import { Injectable } from '@nestjs/common';
import { BotEntity } from '../entities/bot.entity';
import { ConsoleSessionEntity } from '../entities/console-session.entity';
import { TenantDb } from '../tenant-context';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/** The currency of a bot whose row is not there to say (the column's onboarding default). */
export const DEFAULT_CURRENCY = 'IRR';

/** The bot's currency (ISO 4217): every price, figure and sale of the bot is in it. */
export const currencyOf = (bot: Pick<BotEntity, 'currency'> | null | undefined): string =>
  bot?.currency ?? DEFAULT_CURRENCY;

/**
 * A tenant's view of its own `bots` row, through RLS on `id` (the row of another bot is
 * invisible to the application role). Cross-tenant reads of `bots` go through libs/platform.
 */
/** How the bot row is locked to serialise changes of its cached columns (see BotSelfRepository.get). */
export const BOT_ROW_LOCK = 'for_no_key_update' as const;

@Injectable()
export class BotSelfRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * The bot row; with a lock, every other locker of it waits. The lock is `FOR NO KEY UPDATE`, not
   * `FOR UPDATE`: rows that reference the bot (orders, ledger rows) take `KEY SHARE` on it when inserted,
   * which `FOR UPDATE` waits for — two sales that each inserted a row and then locked the bot deadlocked.
   */
  get(botId: string, lock?: 'pessimistic_write'): Promise<BotEntity | null> {
    return this.db.within(botId, (m) =>
      m.findOne(BotEntity, { where: { id: botId }, lock: lock ? { mode: BOT_ROW_LOCK } : undefined }),
    );
  }

  /** The bot's currency (see currencyOf), for callers that do not load the bot row anyway. */
  async currency(botId: string): Promise<string> {
    return currencyOf(await this.get(botId));
  }

  /**
   * Whether any amount of the bot is written in its currency: an order, a user's ledger row or balance, a
   * wholesale-wallet ledger row, balance or hold. Lock the bot row first so a sale cannot start meanwhile
   * (creating an order locks it too).
   */
  async holdsMoney(botId: string): Promise<boolean> {
    const rows: { held: boolean }[] = await this.db.within(botId, (m) =>
      m.query(
        `SELECT (b.wallet_balance_minor <> 0 OR b.wallet_held_minor <> 0
                 OR EXISTS (SELECT 1 FROM orders WHERE bot_id = $1)
                 OR EXISTS (SELECT 1 FROM transactions WHERE bot_id = $1)
                 OR EXISTS (SELECT 1 FROM users WHERE bot_id = $1 AND balance_minor <> 0)
                 OR EXISTS (SELECT 1 FROM tenant_wallet_ledger WHERE bot_id = $1)) AS held
           FROM bots b WHERE b.id = $1`,
        [botId],
      ),
    );
    return rows[0]?.held === true;
  }

  /**
   * Changes the tenant-editable settings of the row (name, language, currency, support username, admin and
   * notification chats). The application role may UPDATE only those columns; status, wallet, tokens and
   * counters change through the functions below (or the platform role), each enforcing its own rule.
   */
  async update(botId: string, patch: Omit<QueryDeepPartialEntity<BotEntity>, 'id'>): Promise<number> {
    return this.db.within(botId, async (m) => (await m.update(BotEntity, { id: botId }, patch)).affected ?? 0);
  }

  /** Pause or resume: only between `active` and `paused` (the function refuses any other move). */
  async setStatus(botId: string, status: 'active' | 'paused'): Promise<void> {
    await this.db.within(botId, (m) => m.query(`SELECT botfleet_bot_set_status($1, $2)`, [botId, status]));
  }

  /** Soft delete: status `deleted`, `deleted_at`, the API token cleared. */
  async softDelete(botId: string): Promise<void> {
    await this.db.within(botId, (m) => m.query(`SELECT botfleet_bot_delete($1)`, [botId]));
  }

  /** Ends every live console session of the bot (it was deleted: nobody is signed in to it any more); how many. */
  async endConsoleSessions(botId: string): Promise<number> {
    return this.db.within(botId, async (m) => {
      const result = await m
        .createQueryBuilder()
        .update(ConsoleSessionEntity)
        .set({ revokedAt: () => 'now()' })
        .where(`kind = 'tenant'`)
        .andWhere('bot_id = :botId', { botId })
        .andWhere('revoked_at IS NULL')
        .andWhere('expires_at > now()')
        .execute();
      return result.affected ?? 0;
    });
  }

  /** A new API token's SHA-256 hash and display prefix. */
  async setApiToken(botId: string, hash: string, prefix: string): Promise<void> {
    await this.db.within(botId, (m) => m.query(`SELECT botfleet_bot_set_api_token($1, $2, $3)`, [botId, hash, prefix]));
  }

  /** A Telegram token getMe accepted: identity, ciphertext and lookup hash; `token_invalid` runs again. */
  async replaceTelegramToken(
    botId: string,
    t: { telegramBotId: number; telegramUsername: string; ciphertext: string; keyVersion: number; hash: string },
  ): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(`SELECT botfleet_bot_replace_telegram_token($1, $2, $3, $4, $5, $6)`, [
        botId,
        t.telegramBotId,
        t.telegramUsername,
        t.ciphertext,
        t.keyVersion,
        t.hash,
      ]),
    );
  }
}
