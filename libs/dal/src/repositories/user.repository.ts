import { Injectable } from '@nestjs/common';
import { escapeLiteral } from 'pg';
import { Page, pageOf, pageOffset } from '@botfleet/common';
import { UserEntity } from '../entities/user.entity';
import { bigintNumber } from '../entities/columns';
import { assertBotId, TenantDb } from '../tenant-context';

/** A `users` row as the bot conversation reads it. */
export interface UserRow {
  id: string;
  bot_id: string;
  telegram_id: string | number;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  language_code: string | null;
  language: UserEntity['language'];
  status: 'active' | 'blocked';
  bot_blocked_at: Date | null;
  referral_code: string;
  referrer_id: string | null;
  referred_via: string | null;
}

/** What an update tells us about its sender, ready to store (clipped to the column limits). */
export interface UserContact {
  telegramId: number;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  languageCode: string | null;
  /** Only written for a new user. */
  language: string;
  /** Only written for a new user (unique per bot). */
  referralCode: string;
  /** The referral code of a `ref_<code>` deep link: a new user's referrer is the user holding it. */
  referrerCode: string | null;
  referredVia: string | null;
}

export interface UserSearch {
  /** A Telegram id exactly, or username / first name / last name / referral code by substring. */
  search?: string;
  status?: 'active' | 'blocked';
  page: number;
  pageSize: number;
}

const RETURNING = `id, bot_id, telegram_id, username, first_name, last_name, language_code, language, status,
  bot_blocked_at, referral_code, referrer_id, referred_via`;

/** Every column of `users`, as `search` reads them into a UserEntity. */
const USER_COLUMNS = `u.id, u.bot_id, u.telegram_id, u.username, u.first_name, u.last_name, u.language_code, u.language,
  u.status, u.bot_blocked_at, u.referral_code, u.referrer_id, u.referred_via, u.promo_group_id, u.balance_minor,
  u.trial_used_at, u.last_seen_at, u.created_at, u.updated_at`;

interface UserEntityRow extends UserRow {
  promo_group_id: string | null;
  balance_minor: string | number;
  trial_used_at: Date | null;
  last_seen_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The fields of a `users` row every reader of it shares (the bot conversation's user, the customer list). */
export function userFieldsOf(r: UserRow) {
  return {
    id: r.id,
    botId: r.bot_id,
    telegramId: bigintNumber.from(r.telegram_id) as number,
    username: r.username,
    firstName: r.first_name,
    lastName: r.last_name,
    languageCode: r.language_code,
    language: r.language,
    status: r.status,
    botBlockedAt: r.bot_blocked_at,
    referralCode: r.referral_code,
    referrerId: r.referrer_id,
    referredVia: r.referred_via,
  };
}

/**
 * A customer-list row: the shared fields with the rest set one by one on the same object. Spreading the shared
 * fields into a new object (and that into an entity) cost ~10 µs a row, most of a /users page's mapping (B6).
 */
function userEntityOf(r: UserEntityRow): UserEntity {
  const u = userFieldsOf(r) as UserEntity;
  u.promoGroupId = r.promo_group_id;
  u.balanceMinor = bigintNumber.from(r.balance_minor) as number;
  u.trialUsedAt = r.trial_used_at;
  u.lastSeenAt = r.last_seen_at;
  u.createdAt = r.created_at;
  u.updatedAt = r.updated_at;
  return u;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The columns the many-users upsert takes as arrays, in the statement's order. */
const CONTACT_COLUMNS: { type: string; pick: (c: UserContact) => string | number | null }[] = [
  { type: 'bigint', pick: (c) => c.telegramId },
  { type: 'text', pick: (c) => c.username },
  { type: 'text', pick: (c) => c.firstName },
  { type: 'text', pick: (c) => c.lastName },
  { type: 'text', pick: (c) => c.languageCode },
  { type: 'text', pick: (c) => c.language },
  { type: 'text', pick: (c) => c.referralCode },
  { type: 'text', pick: (c) => c.referrerCode },
  { type: 'text', pick: (c) => c.referredVia },
];

/** A value inlined into SQL: NULL, a checked integer, or text quoted by the driver. */
function literalOf(v: string | number | null): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error('an inlined number must be a safe integer');
    return String(v);
  }
  if (v.includes('\u0000')) throw new Error('text with NUL cannot be stored');
  return escapeLiteral(v);
}

/** The end users of a bot (`users`): the upserts of the update pipeline and the tenant's customer search. */
@Injectable()
export class UserRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * Creates the user on first contact or refreshes what Telegram says about them, in one round trip for new
   * and known users alike: the referral columns and language are only written by the insert; a message also
   * clears `bot_blocked_at`. A referral code that clashes with another user's fails the statement (unique
   * per bot). `inserted` tells whether the row is new.
   */
  async upsertContact(botId: string, c: UserContact): Promise<UserRow & { inserted: boolean }> {
    const rows: (UserRow & { inserted: boolean })[] = await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO users (bot_id, telegram_id, username, first_name, last_name, language_code, language,
                            referral_code, referrer_id, referred_via, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                 (SELECT r.id FROM users r WHERE r.bot_id = $1 AND r.referral_code = $9 AND r.telegram_id <> $2),
                 $10, now())
         ON CONFLICT (bot_id, telegram_id) DO UPDATE
            SET username = EXCLUDED.username, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
                language_code = EXCLUDED.language_code, bot_blocked_at = NULL, last_seen_at = now(), updated_at = now()
         RETURNING ${RETURNING}, (xmax = 0) AS inserted`,
        [
          botId,
          c.telegramId,
          c.username,
          c.firstName,
          c.lastName,
          c.languageCode,
          c.language,
          c.referralCode,
          c.referrerCode,
          c.referredVia,
        ],
      ),
    );
    return rows[0];
  }

  /**
   * `upsertContact` for several users in one statement (the first update of each sender in a chunk, B1): the same
   * columns, the same rules, for the senders of the updates this transaction has just claimed — it travels right
   * after the claim in the opening round trip of the update's transaction (`ProcessedUpdatesRepository.claimThen`):
   * a row of `processed_updates` this transaction wrote has its `xmin`; a redelivered update's sender (the claim
   * found the update handled before) is left as it is, as the update itself is. The simple protocol has no
   * parameters, so the values are inlined: the bot id checked, integers checked, every text quoted by the
   * driver's `escapeLiteral` (NUL is refused; `contactOf` stores only storable text). Each Telegram id may appear
   * once. Its rows are `upsertContact`'s.
   */
  upsertContactsOpening(
    botId: string,
    senders: { contact: UserContact; updateId: number }[],
    telegramBotId: number,
  ): string {
    assertBotId(botId);
    const bot = `'${botId}'::uuid`;
    const arrays = [
      ...CONTACT_COLUMNS.map((c) => ({ type: c.type, values: senders.map((s) => c.pick(s.contact)) })),
      { type: 'bigint', values: senders.map((s) => s.updateId) },
    ].map((a) => `ARRAY[${a.values.map(literalOf).join(',')}]::${a.type}[]`);
    return `INSERT INTO users (bot_id, telegram_id, username, first_name, last_name, language_code, language,
                              referral_code, referrer_id, referred_via, last_seen_at)
           SELECT ${bot}, v.tg, v.username, v.first_name, v.last_name, v.language_code, v.language, v.code,
                  (SELECT r.id FROM users r WHERE r.bot_id = ${bot} AND r.referral_code = v.ref AND r.telegram_id <> v.tg),
                  v.via, now()
             FROM unnest(${arrays.join(', ')})
                  AS v(tg, username, first_name, last_name, language_code, language, code, ref, via, upd)
            WHERE EXISTS (SELECT 1 FROM processed_updates p
                           WHERE p.bot_id = ${bot} AND p.telegram_bot_id = ${literalOf(telegramBotId)}
                             AND p.update_id = v.upd AND p.xmin = pg_current_xact_id()::xid)
           ON CONFLICT (bot_id, telegram_id) DO UPDATE
              SET username = EXCLUDED.username, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
                  language_code = EXCLUDED.language_code, bot_blocked_at = NULL, last_seen_at = now(), updated_at = now()
           RETURNING ${RETURNING}, (xmax = 0) AS inserted`;
  }

  async findByTelegramId(botId: string, telegramId: number): Promise<UserRow | null> {
    const rows: UserRow[] = await this.db.within(botId, (m) =>
      m.query(`SELECT ${RETURNING} FROM users WHERE bot_id = $1 AND telegram_id = $2`, [botId, telegramId]),
    );
    return rows[0] ?? null;
  }

  /** Returns false when the user does not exist. */
  async setLanguage(botId: string, userId: string, language: string): Promise<boolean> {
    return this.db.within(botId, async (m) => {
      const res: [unknown[], number] = await m.query(
        `UPDATE users SET language = $3, updated_at = now() WHERE bot_id = $1 AND id = $2`,
        [botId, userId, language],
      );
      return res[1] > 0;
    });
  }

  /** Idempotent: an already blocked user keeps the first `bot_blocked_at`. */
  async markBotBlocked(botId: string, telegramId: number): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `UPDATE users SET bot_blocked_at = now(), updated_at = now()
          WHERE bot_id = $1 AND telegram_id = $2 AND bot_blocked_at IS NULL`,
        [botId, telegramId],
      ),
    );
  }

  async clearBotBlocked(botId: string, telegramId: number): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `UPDATE users SET bot_blocked_at = NULL, updated_at = now()
          WHERE bot_id = $1 AND telegram_id = $2 AND bot_blocked_at IS NOT NULL`,
        [botId, telegramId],
      ),
    );
  }

  /** One page of the bot's users, newest first. */
  search(botId: string, q: UserSearch): Promise<Page<UserEntity>> {
    // Plain SQL, not the query builder: the customer list is one of the hottest tenant reads (B6), and building
    // and hydrating through TypeORM cost more than the two statements themselves.
    const params: unknown[] = [botId];
    const where = ['u.bot_id = $1'];
    if (q.status) {
      params.push(q.status);
      where.push(`u.status = $${params.length}`);
    }
    const search = q.search?.trim();
    if (search) {
      params.push(`%${escapeLike(search.replace(/^@/, '').toLowerCase())}%`);
      const like = `$${params.length}`;
      const any = ['username', 'first_name', 'last_name', 'referral_code'].map((c) => `lower(u.${c}) LIKE ${like}`);
      if (/^\d{1,15}$/.test(search)) {
        params.push(Number(search));
        any.push(`u.telegram_id = $${params.length}`);
      }
      where.push(`(${any.join(' OR ')})`);
    }
    const filter = where.join(' AND ');
    return this.db.within(botId, async (m) => {
      // COUNT(*) rather than COUNT(DISTINCT id): users of a bot are distinct rows already.
      const counted: { n: string }[] = await m.query(`SELECT COUNT(*) AS n FROM users u WHERE ${filter}`, params);
      const rows: UserEntityRow[] = await m.query(
        `SELECT ${USER_COLUMNS} FROM users u WHERE ${filter}
          ORDER BY u.created_at DESC, u.id ASC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, q.pageSize, pageOffset(q.page, q.pageSize)],
      );
      return pageOf(rows.map(userEntityOf), Number(counted[0]?.n ?? 0), q.page, q.pageSize);
    });
  }
}
