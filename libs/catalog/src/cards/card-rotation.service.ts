import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { TenantRepositories } from '@botfleet/dal';
import {
  cardFromRow,
  lockCardSet,
  PaymentCardRow,
  PaymentCardsService,
  PaymentCardView,
} from './payment-cards.service';
import { chooseCard, effectiveStrategy, RotationCandidate, RotationState, RotationStrategy } from './rotation-strategy';
import { cardUsageDay } from './usage-day';
import { MAX_MINOR } from '../validation';

export interface RotationOptions {
  /** The clock (tests inject one; time_based periods and the card-usage day are read from it). */
  now?: Date;
  /** Uniform [0, 1) source for random and weighted (tests may inject one). */
  random?: () => number;
}

export interface RotationResult {
  /** The bot-level strategy used (see effectiveStrategy). */
  strategy: RotationStrategy;
  /** false for random and weighted: a preview shows one possible draw, not a promise. */
  deterministic: boolean;
  card: PaymentCardView;
}

interface CandidateRow {
  id: string;
  rotation_strategy: RotationStrategy;
  rotation_interval_minutes: number;
  weight: number;
  success_count: number;
  failure_count: number;
  daily_limit_minor: string | null;
  used_today_minor: string;
}

/**
 * Card rotation for card-to-card payments: which of the bot's cards a buyer is shown.
 * `pickCard` consumes a turn (the bot calls it when it creates a card-to-card payment);
 * `peekCard` answers the same question without changing anything (GET …/payment-cards/next);
 * `recordOutcome` feeds receipt reviews back into the weighted strategy.
 */
@Injectable()
export class CardRotationService {
  constructor(
    private readonly repos: TenantRepositories,
    private readonly cards: PaymentCardsService,
  ) {}

  /**
   * The card for a new card-to-card payment of `amountMinor`. Counts the pick on the card
   * (current_usage_count, last_used_at) and adds the amount to today's usage, in the caller's
   * tenant transaction when there is one, so a failed payment insert rolls the pick back too.
   * NO_PAYMENT_CARD when no active card can take the amount today.
   */
  async pickCard(botId: string, amountMinor: number, options: RotationOptions = {}): Promise<RotationResult> {
    assertAmount(amountMinor, 1);
    const now = options.now ?? new Date();
    const day = cardUsageDay(now);
    return this.repos.db.run(botId, async (tx) => {
      const m = tx.manager;
      const state = await lockCardSet(m, botId);
      const ordered = await this.candidates(m, botId, day);
      const strategy = effectiveStrategy(ordered);
      const choice = chooseCard(strategy, ordered, amountMinor, state, now, options.random ?? Math.random);
      if (!choice) throw noCard();
      // One statement for the bookkeeping (a pick is on the payment path: fewer round trips).
      const [row]: (PaymentCardRow & { used_today_minor: string; currency: string })[] = await m.query(
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
        [botId, choice.card.id, now, day, amountMinor, choice.switched],
      );
      return {
        strategy,
        deterministic: isDeterministic(strategy),
        card: this.cards.view(cardFromRow(row), row.currency, Number(row.used_today_minor)),
      };
    });
  }

  /** Which card the next buyer would get for `amountMinor` (0 = any amount), changing nothing. */
  async peekCard(botId: string, amountMinor = 0, options: RotationOptions = {}): Promise<RotationResult> {
    assertAmount(amountMinor, 0);
    const now = options.now ?? new Date();
    return this.repos.db.run(botId, async (tx) => {
      const m = tx.manager;
      const rows: { current_card_id: string | null; switched_at: Date | null }[] = await m.query(
        `SELECT current_card_id, switched_at FROM card_rotation_state WHERE bot_id = $1`,
        [botId],
      );
      const state: RotationState = {
        currentCardId: rows[0]?.current_card_id ?? null,
        switchedAt: rows[0]?.switched_at ?? null,
      };
      const ordered = await this.candidates(m, botId, cardUsageDay(now));
      const strategy = effectiveStrategy(ordered);
      const choice = chooseCard(strategy, ordered, amountMinor, state, now, options.random ?? Math.random);
      if (!choice) throw noCard();
      const card = await this.repos.paymentCards.findById(botId, choice.card.id);
      return {
        strategy,
        deterministic: isDeterministic(strategy),
        card: await this.cards.viewWithUsage(botId, card!, now),
      };
    });
  }

  /**
   * A receipt on this card was approved (true) or rejected (false): feeds the weighted strategy.
   * Counts for archived cards too (a receipt may be reviewed after the card was removed).
   */
  async recordOutcome(botId: string, cardId: string, approved: boolean): Promise<void> {
    const column = approved ? 'success_count' : 'failure_count';
    if (!/^[0-9a-f-]{36}$/i.test(cardId)) throw new DomainError(ErrorCode.NOT_FOUND, 'Payment card not found');
    const affected = await this.repos.db.within(botId, async (m) => {
      // TypeORM answers an UPDATE with [rows, affectedCount].
      const [, count]: [unknown[], number] = await m.query(
        `UPDATE tenant_payment_cards SET ${column} = ${column} + 1 WHERE bot_id = $1 AND id = $2`,
        [botId, cardId],
      );
      return count;
    });
    if (affected === 0) throw new DomainError(ErrorCode.NOT_FOUND, 'Payment card not found');
  }

  /**
   * Gives back the daily allowance a pick took when no money arrived (the receipt was rejected or
   * the payment expired): subtracts `amountMinor` from the usage of the day the card was picked
   * (`pickedAt`, the payment's creation time), never below zero. Idempotency is the caller's: call
   * it once per payment, in the same transaction as the payment's state change.
   */
  async releaseAmount(botId: string, cardId: string, amountMinor: number, pickedAt: Date): Promise<void> {
    assertAmount(amountMinor, 1);
    await this.repos.db.within(botId, (m) =>
      m.query(
        `UPDATE card_daily_usage SET amount_minor = GREATEST(amount_minor - $4, 0)
          WHERE bot_id = $1 AND card_id = $2 AND day = $3`,
        [botId, cardId, cardUsageDay(pickedAt), amountMinor],
      ),
    );
  }

  /** Every active, undeleted card, oldest first, with today's usage. */
  private async candidates(m: EntityManager, botId: string, day: string): Promise<RotationCandidate[]> {
    const rows: CandidateRow[] = await m.query(
      `SELECT c.id, c.rotation_strategy, c.rotation_interval_minutes, c.weight, c.success_count, c.failure_count,
              c.daily_limit_minor, COALESCE(u.amount_minor, 0) AS used_today_minor
         FROM tenant_payment_cards c
         LEFT JOIN card_daily_usage u ON u.bot_id = c.bot_id AND u.card_id = c.id AND u.day = $2
        WHERE c.bot_id = $1 AND c.is_active AND c.deleted_at IS NULL
        ORDER BY c.created_at, c.id`,
      [botId, day],
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
}

function isDeterministic(strategy: RotationStrategy): boolean {
  return strategy === 'round_robin' || strategy === 'time_based';
}

function noCard(): DomainError {
  return new DomainError(ErrorCode.NO_PAYMENT_CARD, 'No active payment card can take this payment today');
}

function assertAmount(amountMinor: number, min: number): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor < min || amountMinor > MAX_MINOR) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Invalid amount', [
      { field: 'amountMinor', errors: [`must be an integer between ${min} and ${MAX_MINOR}`] },
    ]);
  }
}
