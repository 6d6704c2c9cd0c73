import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, isUuid } from '@botfleet/common';
import { CardRotationRepository, TenantDb, TenantRepositories } from '@botfleet/dal';
import { PaymentCardsService, PaymentCardView } from './payment-cards.service';
import { chooseCard, effectiveStrategy, RotationState, RotationStrategy } from './rotation-strategy';
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

/**
 * Card rotation for card-to-card payments: which of the bot's cards a buyer is shown.
 * `pickCard` consumes a turn (the bot calls it when it creates a card-to-card payment);
 * `peekCard` answers the same question without changing anything (GET …/payment-cards/next);
 * `recordOutcome` feeds receipt reviews back into the weighted strategy.
 */
@Injectable()
export class CardRotationService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly rotation: CardRotationRepository,
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
    return this.db.run(botId, async () => {
      const state = await this.rotation.lockCardSet(botId);
      const ordered = await this.rotation.candidates(botId, day);
      const strategy = effectiveStrategy(ordered);
      const choice = chooseCard(strategy, ordered, amountMinor, state, now, options.random ?? Math.random);
      if (!choice) throw noCard();
      const picked = await this.rotation.recordPick(botId, {
        cardId: choice.card.id,
        at: now,
        day,
        amountMinor,
        switched: choice.switched,
      });
      return {
        strategy,
        deterministic: isDeterministic(strategy),
        card: this.cards.view(picked.card, picked.currency, picked.usedTodayMinor),
      };
    });
  }

  /** Which card the next buyer would get for `amountMinor` (0 = any amount), changing nothing. */
  async peekCard(botId: string, amountMinor = 0, options: RotationOptions = {}): Promise<RotationResult> {
    assertAmount(amountMinor, 0);
    const now = options.now ?? new Date();
    return this.db.run(botId, async () => {
      const state: RotationState = await this.rotation.readState(botId);
      const ordered = await this.rotation.candidates(botId, cardUsageDay(now));
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
    if (!isUuid(cardId)) throw new DomainError(ErrorCode.NOT_FOUND, 'Payment card not found');
    const affected = await this.rotation.countOutcome(botId, cardId, approved);
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
    await this.rotation.releaseUsage(botId, cardId, cardUsageDay(pickedAt), amountMinor);
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
