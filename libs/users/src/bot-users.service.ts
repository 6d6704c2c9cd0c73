import { Injectable } from '@nestjs/common';
import { Language } from '@botfleet/catalog';
import { TenantDb } from '@botfleet/dal';
import { newReferralCode, referralCodeFromPayload } from './referral-code';

/** What Telegram tells us about the person behind an update (`update.*.from`). */
export interface TelegramUserInfo {
  id: number;
  username?: string;
  first_name?: string;
  last_name?: string;
  language_code?: string;
}

/** An end user of one bot, as the bot conversation needs it. */
export interface BotUser {
  id: string;
  botId: string;
  telegramId: number;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  languageCode: string | null;
  language: Language | null;
  status: 'active' | 'blocked';
  botBlockedAt: Date | null;
  referralCode: string;
  referrerId: string | null;
  referredVia: string | null;
  /** True when this call created the row. */
  created: boolean;
}

export interface TouchOptions {
  /** Language for a user seen for the first time (see chooseLanguage). */
  languageForNewUser: Language;
  /** The `/start` payload, if this update is a /start; a `ref_<code>` payload records the referrer. */
  startPayload?: string;
}

interface UserRow {
  id: string;
  bot_id: string;
  telegram_id: string | number;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  language_code: string | null;
  language: Language | null;
  status: 'active' | 'blocked';
  bot_blocked_at: Date | null;
  referral_code: string;
  referrer_id: string | null;
  referred_via: string | null;
}

/** Column limits of the users table: Telegram allows longer names than we keep. */
const LIMITS = { username: 64, first_name: 200, last_name: 200, language_code: 16, referred_via: 64 };
const clip = (v: string | undefined, max: number): string | null => (v ? v.slice(0, max) : null);

function toUser(r: UserRow, created: boolean): BotUser {
  return {
    id: r.id,
    botId: r.bot_id,
    telegramId: Number(r.telegram_id),
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
    created,
  };
}

const RETURNING = `id, bot_id, telegram_id, username, first_name, last_name, language_code, language, status,
  bot_blocked_at, referral_code, referrer_id, referred_via`;

/**
 * The end users of a bot (the `users` table), as the bot conversation sees them. Every call runs in the
 * tenant transaction of the update being handled (TenantDb joins it), so the user's changes commit or
 * roll back together with the update's `processed_updates` row.
 */
@Injectable()
export class BotUsersService {
  constructor(private readonly db: TenantDb) {}

  /**
   * Creates the user on first contact or refreshes what Telegram says about them, in one round trip for
   * a known user. A message from the user also clears `bot_blocked_at` (they talk to the bot again).
   * A new user gets a unique referral code and, from a `ref_<code>` deep link, their referrer.
   */
  async touch(botId: string, from: TelegramUserInfo, opts: TouchOptions): Promise<BotUser> {
    const names = [
      clip(from.username, LIMITS.username),
      clip(from.first_name, LIMITS.first_name),
      clip(from.last_name, LIMITS.last_name),
      clip(from.language_code, LIMITS.language_code),
    ];
    const code = referralCodeFromPayload(opts.startPayload);
    // One round trip for new and known users alike: the referral columns and language are only written
    // by the insert. A fresh referral code that happens to clash with another user's fails the statement
    // (unique per bot); the caller's retry draws a new one.
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
          from.id,
          ...names,
          opts.languageForNewUser,
          newReferralCode(),
          code,
          code ? clip(opts.startPayload?.trim(), LIMITS.referred_via) : null,
        ],
      ),
    );
    return toUser(rows[0], rows[0].inserted);
  }

  /**
   * `touch` for several users in one statement (the first update of each sender in a batch of updates,
   * B1): the same columns, the same rules, one round trip instead of one per user. Each Telegram id may
   * appear once (a later update of the same user goes through `touch`, so it sees what earlier ones
   * changed). Returns the users by Telegram id.
   */
  async touchMany(
    botId: string,
    inputs: { from: TelegramUserInfo; opts: TouchOptions }[],
  ): Promise<Map<number, BotUser>> {
    const byId = new Map<number, BotUser>();
    if (!inputs.length) return byId;
    const ids = new Set<number>();
    for (const { from } of inputs) {
      if (ids.has(from.id)) throw new Error('touchMany takes each Telegram user once');
      ids.add(from.id);
    }
    const column = (pick: (i: (typeof inputs)[number]) => string | number | null) => inputs.map(pick);
    const rows: (UserRow & { inserted: boolean })[] = await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO users (bot_id, telegram_id, username, first_name, last_name, language_code, language,
                            referral_code, referrer_id, referred_via, last_seen_at)
         SELECT $1, v.tg, v.username, v.first_name, v.last_name, v.language_code, v.language, v.code,
                (SELECT r.id FROM users r WHERE r.bot_id = $1 AND r.referral_code = v.ref AND r.telegram_id <> v.tg),
                v.via, now()
           FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                       $9::text[], $10::text[])
                AS v(tg, username, first_name, last_name, language_code, language, code, ref, via)
         ON CONFLICT (bot_id, telegram_id) DO UPDATE
            SET username = EXCLUDED.username, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
                language_code = EXCLUDED.language_code, bot_blocked_at = NULL, last_seen_at = now(), updated_at = now()
         RETURNING ${RETURNING}, (xmax = 0) AS inserted`,
        [
          botId,
          column((i) => i.from.id),
          column((i) => clip(i.from.username, LIMITS.username)),
          column((i) => clip(i.from.first_name, LIMITS.first_name)),
          column((i) => clip(i.from.last_name, LIMITS.last_name)),
          column((i) => clip(i.from.language_code, LIMITS.language_code)),
          column((i) => i.opts.languageForNewUser),
          column(() => newReferralCode()),
          column((i) => referralCodeFromPayload(i.opts.startPayload)),
          column((i) =>
            referralCodeFromPayload(i.opts.startPayload)
              ? clip(i.opts.startPayload?.trim(), LIMITS.referred_via)
              : null,
          ),
        ],
      ),
    );
    for (const r of rows) byId.set(Number(r.telegram_id), toUser(r, r.inserted));
    return byId;
  }

  async findByTelegramId(botId: string, telegramId: number): Promise<BotUser | null> {
    return this.db.within(botId, async (m) => {
      const rows: UserRow[] = await m.query(`SELECT ${RETURNING} FROM users WHERE bot_id = $1 AND telegram_id = $2`, [
        botId,
        telegramId,
      ]);
      return rows.length ? toUser(rows[0], false) : null;
    });
  }

  /** Changes the user's language; returns false when the user does not exist. */
  async setLanguage(botId: string, userId: string, language: Language): Promise<boolean> {
    return this.db.within(botId, async (m) => {
      const res: [unknown[], number] = await m.query(
        `UPDATE users SET language = $3, updated_at = now() WHERE bot_id = $1 AND id = $2`,
        [botId, userId, language],
      );
      return res[1] > 0;
    });
  }

  /** Telegram said the user blocked the bot (403 on a send, or a my_chat_member "kicked"). Idempotent. */
  async markBotBlocked(botId: string, telegramId: number): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `UPDATE users SET bot_blocked_at = now(), updated_at = now()
          WHERE bot_id = $1 AND telegram_id = $2 AND bot_blocked_at IS NULL`,
        [botId, telegramId],
      ),
    );
  }

  /** The user unblocked the bot (my_chat_member "member"). */
  async clearBotBlocked(botId: string, telegramId: number): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `UPDATE users SET bot_blocked_at = NULL, updated_at = now()
          WHERE bot_id = $1 AND telegram_id = $2 AND bot_blocked_at IS NOT NULL`,
        [botId, telegramId],
      ),
    );
  }
}
