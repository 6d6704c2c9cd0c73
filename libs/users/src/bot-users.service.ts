import { Injectable } from '@nestjs/common';
import { Language } from '@botfleet/catalog';
import { UserContact, UserRepository, UserRow, userFieldsOf } from '@botfleet/dal';
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

/** Column limits of the users table: Telegram allows longer names than we keep. */
const LIMITS = { username: 64, first_name: 200, last_name: 200, language_code: 16, referred_via: 64 };
/**
 * Telegram's text as PostgreSQL can store it (README "Hostile text"): without NUL, lone surrogates replaced
 * by U+FFFD, cut at a character (never between the halves of an emoji).
 */
const clip = (v: string | undefined, max: number): string | null => {
  if (!v) return null;
  const storable = v
    .replaceAll('\u0000', '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return Array.from(storable).slice(0, max).join('') || null;
};

/** What we store of `from` (clipped to the column limits), with the new-user-only columns. */
function contactOf(from: TelegramUserInfo, opts: TouchOptions): UserContact {
  const referrerCode = referralCodeFromPayload(opts.startPayload);
  return {
    telegramId: from.id,
    username: clip(from.username, LIMITS.username),
    firstName: clip(from.first_name, LIMITS.first_name),
    lastName: clip(from.last_name, LIMITS.last_name),
    languageCode: clip(from.language_code, LIMITS.language_code),
    language: opts.languageForNewUser,
    referralCode: newReferralCode(),
    referrerCode,
    referredVia: referrerCode ? clip(opts.startPayload?.trim(), LIMITS.referred_via) : null,
  };
}

function eachUserOnce(inputs: { from: TelegramUserInfo }[]): void {
  const ids = new Set<number>();
  for (const { from } of inputs) {
    if (ids.has(from.id)) throw new Error('touchManyStatement takes each Telegram user once');
    ids.add(from.id);
  }
}

/** The shared fields plus `created`, set on the same object (a spread into a new one costs ~1 µs more per update). */
function toUser(r: UserRow, created: boolean): BotUser {
  const u = userFieldsOf(r) as BotUser;
  u.created = created;
  return u;
}

/**
 * The end users of a bot (the `users` table), as the bot conversation sees them. Every call runs in the
 * tenant transaction of the update being handled (TenantDb joins it), so the user's changes commit or
 * roll back together with the update's `processed_updates` row.
 */
@Injectable()
export class BotUsersService {
  constructor(private readonly users: UserRepository) {}

  /**
   * Creates the user on first contact or refreshes what Telegram says about them, in one round trip for
   * a known user. A message from the user also clears `bot_blocked_at` (they talk to the bot again).
   * A new user gets a unique referral code and, from a `ref_<code>` deep link, their referrer.
   */
  async touch(botId: string, from: TelegramUserInfo, opts: TouchOptions): Promise<BotUser> {
    // One round trip for new and known users alike. A fresh referral code that happens to clash with another
    // user's fails the statement (unique per bot); the caller's retry draws a new one.
    const row = await this.users.upsertContact(botId, contactOf(from, opts));
    return toUser(row, row.inserted);
  }

  /**
   * `touch` for several users in one statement (the first update of each sender in a chunk of updates, B1): the
   * same columns, the same rules, sent in the update transaction's opening round trip right after the claim
   * (`ProcessedUpdatesRepository.claimThen`'s `along`), for the senders of the updates claimed there only (a
   * redelivered update changes nothing); `usersOf` reads its rows, by Telegram id. Each Telegram id may appear once (a later update of the same user goes through `touch`, so it sees what earlier ones
   * changed).
   */
  touchManyStatement(
    botId: string,
    telegramBotId: number,
    inputs: { from: TelegramUserInfo; opts: TouchOptions; updateId: number }[],
  ): { sql: string; usersOf(rows: unknown[]): Map<number, BotUser> } {
    eachUserOnce(inputs);
    return {
      sql: this.users.upsertContactsOpening(
        botId,
        inputs.map((i) => ({ contact: contactOf(i.from, i.opts), updateId: i.updateId })),
        telegramBotId,
      ),
      usersOf: (rows) =>
        new Map(
          (rows as (UserRow & { inserted: boolean })[]).map((r) => [Number(r.telegram_id), toUser(r, r.inserted)]),
        ),
    };
  }

  async findByTelegramId(botId: string, telegramId: number): Promise<BotUser | null> {
    const row = await this.users.findByTelegramId(botId, telegramId);
    return row ? toUser(row, false) : null;
  }

  /** Changes the user's language; returns false when the user does not exist. */
  setLanguage(botId: string, userId: string, language: Language): Promise<boolean> {
    return this.users.setLanguage(botId, userId, language);
  }

  /** Telegram said the user blocked the bot (403 on a send, or a my_chat_member "kicked"). Idempotent. */
  markBotBlocked(botId: string, telegramId: number): Promise<void> {
    return this.users.markBotBlocked(botId, telegramId);
  }

  /** The user unblocked the bot (my_chat_member "member"). */
  clearBotBlocked(botId: string, telegramId: number): Promise<void> {
    return this.users.clearBotBlocked(botId, telegramId);
  }
}
