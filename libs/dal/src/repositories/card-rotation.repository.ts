import { Injectable } from '@nestjs/common';
import { PaymentCardEntity } from '../entities/payment-card.entity';
import { TenantDb } from '../tenant-context';

type Strategy = PaymentCardEntity['rotationStrategy'];

/** Where the rotation stands: the card last handed out and when the current period started. */
export interface CardRotationStateRow {
  cursor: number;
  currentCardId: string | null;
  switchedAt: Date | null;
}

/** A card that may be picked, with the amount already handed out on it today. */
export interface CardRotationCandidateRow {
  id: string;
  rotationStrategy: Strategy;
  rotationIntervalMinutes: number;
  weight: number;
  successCount: number;
  failureCount: number;
  /** null = no daily limit. */
  dailyLimitMinor: number | null;
  usedTodayMinor: number;
}

export interface CardPick {
  cardId: string;
  at: Date;
  /** The card-usage day (`YYYY-MM-DD`) the amount counts against. */
  day: string;
  amountMinor: number;
  /** The pick starts a new rotation period (time_based): `switched_at` becomes `at`. */
  switched: boolean;
}

/** The picked card after the bookkeeping, with today's usage and the bot's currency. */
export interface RecordedCardPick {
  card: PaymentCardEntity;
  usedTodayMinor: number;
  currency: string;
}

interface PaymentCardRow {
  id: string;
  bot_id: string;
  card_number: string;
  card_holder_name: string;
  bank_name: string | null;
  rotation_strategy: Strategy;
  rotation_interval_minutes: number;
  weight: number;
  daily_limit_minor: string | null;
  success_count: number;
  failure_count: number;
  current_usage_count: number;
  last_used_at: Date | null;
  is_active: boolean;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function cardFromRow(r: PaymentCardRow): PaymentCardEntity {
  return Object.assign(new PaymentCardEntity(), {
    id: r.id,
    botId: r.bot_id,
    cardNumber: r.card_number,
    cardHolderName: r.card_holder_name,
    bankName: r.bank_name,
    rotationStrategy: r.rotation_strategy,
    rotationIntervalMinutes: r.rotation_interval_minutes,
    weight: r.weight,
    dailyLimitMinor: r.daily_limit_minor === null ? null : Number(r.daily_limit_minor),
    successCount: r.success_count,
    failureCount: r.failure_count,
    currentUsageCount: r.current_usage_count,
    lastUsedAt: r.last_used_at,
    isActive: r.is_active,
    deletedAt: r.deleted_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}

/** Card rotation's state, candidates and bookkeeping (`card_rotation_state`, `card_daily_usage`, card counters). */
@Injectable()
export class CardRotationRepository {
  constructor(private readonly db: TenantDb) {}

  /**
   * Locks the bot's card set for the rest of the transaction: the card_rotation_state row (made on
   * first use). Every pick and every card edit takes it first, which serialises picks (round-robin
   * stays even, daily limits cannot be overrun by two concurrent picks) and keeps one lock order.
   * One statement: the upsert both creates the row and takes its lock.
   */
  async lockCardSet(botId: string): Promise<CardRotationStateRow> {
    const rows: { cursor: string; current_card_id: string | null; switched_at: Date | null }[] = await this.db.within(
      botId,
      (m) =>
        m.query(
          `INSERT INTO card_rotation_state AS s (bot_id) VALUES ($1)
           ON CONFLICT (bot_id) DO UPDATE SET cursor = s.cursor
           RETURNING cursor, current_card_id, switched_at`,
          [botId],
        ),
    );
    const r = rows[0];
    return { cursor: Number(r.cursor), currentCardId: r.current_card_id, switchedAt: r.switched_at };
  }

  /** The rotation state without a lock (a preview); no row yet reads as "no card handed out". */
  async readState(botId: string): Promise<Omit<CardRotationStateRow, 'cursor'>> {
    const rows: { current_card_id: string | null; switched_at: Date | null }[] = await this.db.within(botId, (m) =>
      m.query(`SELECT current_card_id, switched_at FROM card_rotation_state WHERE bot_id = $1`, [botId]),
    );
    return { currentCardId: rows[0]?.current_card_id ?? null, switchedAt: rows[0]?.switched_at ?? null };
  }

  /** Every active, undeleted card, oldest first, with its usage on `day`. */
  async candidates(botId: string, day: string): Promise<CardRotationCandidateRow[]> {
    const rows: {
      id: string;
      rotation_strategy: Strategy;
      rotation_interval_minutes: number;
      weight: number;
      success_count: number;
      failure_count: number;
      daily_limit_minor: string | null;
      used_today_minor: string;
    }[] = await this.db.within(botId, (m) =>
      m.query(
        `SELECT c.id, c.rotation_strategy, c.rotation_interval_minutes, c.weight, c.success_count, c.failure_count,
                c.daily_limit_minor, COALESCE(u.amount_minor, 0) AS used_today_minor
           FROM tenant_payment_cards c
           LEFT JOIN card_daily_usage u ON u.bot_id = c.bot_id AND u.card_id = c.id AND u.day = $2
          WHERE c.bot_id = $1 AND c.is_active AND c.deleted_at IS NULL
          ORDER BY c.created_at, c.id`,
        [botId, day],
      ),
    );
    return rows.map((r) => ({
      id: r.id,
      rotationStrategy: r.rotation_strategy,
      rotationIntervalMinutes: r.rotation_interval_minutes,
      weight: r.weight,
      successCount: r.success_count,
      failureCount: r.failure_count,
      dailyLimitMinor: r.daily_limit_minor === null ? null : Number(r.daily_limit_minor),
      usedTodayMinor: Number(r.used_today_minor),
    }));
  }

  /**
   * The bookkeeping of a pick in one statement (a pick is on the payment path: fewer round trips): counts
   * the pick on the card (current_usage_count, last_used_at), adds the amount to the day's usage and moves
   * the rotation on. Call it with the card set locked (`lockCardSet`).
   */
  async recordPick(botId: string, pick: CardPick): Promise<RecordedCardPick> {
    const [row]: (PaymentCardRow & { used_today_minor: string; currency: string })[] = await this.db.within(
      botId,
      (m) =>
        m.query(
          `WITH card AS (
             UPDATE tenant_payment_cards SET current_usage_count = current_usage_count + 1, last_used_at = $3
              WHERE bot_id = $1 AND id = $2 RETURNING *
           ), usage AS (
             INSERT INTO card_daily_usage (bot_id, card_id, day, amount_minor, picks) VALUES ($1, $2, $4, $5, 1)
             ON CONFLICT (bot_id, card_id, day) DO UPDATE
               SET amount_minor = card_daily_usage.amount_minor + EXCLUDED.amount_minor,
                   picks = card_daily_usage.picks + 1
             RETURNING amount_minor
           ), state AS (
             UPDATE card_rotation_state
                SET cursor = cursor + 1, current_card_id = $2,
                    switched_at = CASE WHEN $6::boolean OR switched_at IS NULL THEN $3::timestamptz ELSE switched_at END,
                    updated_at = now()
              WHERE bot_id = $1
           )
           SELECT card.*, usage.amount_minor AS used_today_minor, bots.currency
             FROM card, usage, bots WHERE bots.id = $1`,
          [botId, pick.cardId, pick.at, pick.day, pick.amountMinor, pick.switched],
        ),
    );
    return { card: cardFromRow(row), usedTodayMinor: Number(row.used_today_minor), currency: row.currency };
  }

  /**
   * Counts a reviewed receipt on the card: approved → success_count, rejected → failure_count (archived
   * cards too). Returns how many rows changed (0 = no such card).
   */
  async countOutcome(botId: string, cardId: string, approved: boolean): Promise<number> {
    const column = approved ? 'success_count' : 'failure_count';
    return this.db.within(botId, async (m) => {
      // TypeORM answers an UPDATE with [rows, affectedCount].
      const [, count]: [unknown[], number] = await m.query(
        `UPDATE tenant_payment_cards SET ${column} = ${column} + 1 WHERE bot_id = $1 AND id = $2`,
        [botId, cardId],
      );
      return count;
    });
  }

  /** Subtracts `amountMinor` from the card's usage on `day`, never below zero. */
  async releaseUsage(botId: string, cardId: string, day: string, amountMinor: number): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `UPDATE card_daily_usage SET amount_minor = GREATEST(amount_minor - $4, 0)
          WHERE bot_id = $1 AND card_id = $2 AND day = $3`,
        [botId, cardId, day, amountMinor],
      ),
    );
  }
}
