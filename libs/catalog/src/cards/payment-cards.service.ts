import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { AuditService } from '@botfleet/audit';
import { AdminAccessService } from '@botfleet/bots';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import {
  BotSelfRepository,
  CardRotationRepository,
  PaymentCardEntity,
  TenantDb,
  TenantRepositories,
} from '@botfleet/dal';
import { Schema, SchemaProblem } from '../settings/schema';
import { assertFields, MAX_MINOR } from '../validation';
import { CARD_NUMBER_MAX_INPUT, maskCardNumber, parseCardNumber } from './card-number';
import { ROTATION_STRATEGIES, RotationStrategy } from './rotation-strategy';
import { cardUsageDay } from './usage-day';

/** Limits of the editable card fields (the API DTOs use the same numbers). */
export const PAYMENT_CARD_LIMITS = {
  holderNameMaxLength: 100,
  bankNameMaxLength: 100,
  rotationIntervalMinutes: { min: 1, max: 10_080 },
  weight: { min: 1, max: 1000 },
  dailyLimitMinor: { min: 1, max: MAX_MINOR },
} as const;

const L = PAYMENT_CARD_LIMITS;
const FIELDS: Record<string, Schema> = {
  cardNumber: { type: 'string', maxLength: CARD_NUMBER_MAX_INPUT },
  cardHolderName: { type: 'string', minLength: 1, maxLength: L.holderNameMaxLength, pattern: /\S/ },
  bankName: { type: 'string', minLength: 1, maxLength: L.bankNameMaxLength, pattern: /\S/, nullable: true },
  rotationStrategy: { type: 'string', enum: ROTATION_STRATEGIES, maxLength: 20 },
  rotationIntervalMinutes: {
    type: 'integer',
    minimum: L.rotationIntervalMinutes.min,
    maximum: L.rotationIntervalMinutes.max,
  },
  weight: { type: 'integer', minimum: L.weight.min, maximum: L.weight.max },
  dailyLimitMinor: { type: 'integer', minimum: L.dailyLimitMinor.min, maximum: L.dailyLimitMinor.max, nullable: true },
  isActive: { type: 'boolean' },
};

export interface PaymentCardInput {
  cardNumber: string;
  cardHolderName: string;
  bankName?: string | null;
  rotationStrategy?: RotationStrategy;
  rotationIntervalMinutes?: number;
  weight?: number;
  /** null = no daily limit. */
  dailyLimitMinor?: number | null;
  isActive?: boolean;
}
export type PaymentCardPatch = Partial<PaymentCardInput>;

/** A card as the tenant sees it in its own card endpoints (full number: it is the tenant's card). */
export interface PaymentCardView {
  id: string;
  cardNumber: string;
  cardNumberMasked: string;
  cardHolderName: string;
  bankName: string | null;
  rotationStrategy: RotationStrategy;
  rotationIntervalMinutes: number;
  weight: number;
  dailyLimitMinor: number | null;
  usedTodayMinor: number;
  currency: string;
  successCount: number;
  failureCount: number;
  currentUsageCount: number;
  lastUsedAt: string | null;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
}

export type PaymentCardRemoval = { outcome: 'deleted' } | { outcome: 'archived' };

function cardNumberProblem(input: { cardNumber?: unknown }): SchemaProblem[] {
  // Type and length problems are reported by the field schema; this adds the format and Luhn check.
  if (typeof input.cardNumber !== 'string' || input.cardNumber.length > CARD_NUMBER_MAX_INPUT) return [];
  const check = parseCardNumber(input.cardNumber);
  return check.ok ? [] : [{ field: 'cardNumber', errors: [check.error] }];
}

/** What the audit log keeps of a card: auditSafe masks the number; counters are not edits. */
function auditView(card: PaymentCardEntity): Record<string, unknown> {
  return {
    cardNumber: card.cardNumber,
    cardHolderName: card.cardHolderName,
    bankName: card.bankName,
    rotationStrategy: card.rotationStrategy,
    rotationIntervalMinutes: card.rotationIntervalMinutes,
    weight: card.weight,
    dailyLimitMinor: card.dailyLimitMinor,
    isActive: card.isActive,
  };
}

/**
 * A tenant's payment cards (tenant_payment_cards). Deleted cards that have card-to-card payments
 * are archived (deleted_at set, inactive) so the payment history keeps its card; others are
 * removed. Rotation lives in CardRotationService.
 */
@Injectable()
export class PaymentCardsService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly rotation: CardRotationRepository,
    private readonly botSelf: BotSelfRepository,
    private readonly audit: AuditService,
    private readonly access: AdminAccessService,
  ) {}

  async list(botId: string, now = new Date()): Promise<PaymentCardView[]> {
    return this.db.run(botId, async () => {
      const cards = await this.repos.paymentCards.find(botId, {
        where: { deletedAt: IsNull() },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
      const usage = await this.repos.cardDailyUsage.find(botId, { where: { day: cardUsageDay(now) } });
      const used = new Map(usage.map((u) => [u.cardId, u.amountMinor]));
      const currency = await this.currency(botId);
      return cards.map((c) => this.view(c, currency, used.get(c.id) ?? 0));
    });
  }

  async get(botId: string, cardId: string, now = new Date()): Promise<PaymentCardView> {
    return this.db.run(botId, async () => {
      const card = await this.find(botId, cardId);
      return this.viewWithUsage(botId, card, now);
    });
  }

  async create(botId: string, input: PaymentCardInput, actor: Actor): Promise<PaymentCardView> {
    assertFields(FIELDS, input, ['cardNumber', 'cardHolderName'], cardNumberProblem(input));
    const cardNumber = (parseCardNumber(input.cardNumber) as { digits: string }).digits;
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'cards');
      await this.rotation.lockCardSet(botId);
      await this.assertNotDuplicate(botId, cardNumber);
      const { id } = await this.repos.paymentCards.insert(botId, {
        cardNumber,
        cardHolderName: input.cardHolderName,
        bankName: input.bankName ?? null,
        rotationStrategy: input.rotationStrategy ?? 'round_robin',
        rotationIntervalMinutes: input.rotationIntervalMinutes ?? 60,
        weight: input.weight ?? 1,
        dailyLimitMinor: input.dailyLimitMinor ?? null,
        isActive: input.isActive ?? true,
        successCount: 0,
        failureCount: 0,
        currentUsageCount: 0,
        lastUsedAt: null,
        deletedAt: null,
      });
      const card = await this.find(botId, id);
      await this.audit.record(botId, {
        actor,
        action: 'payment_card.create',
        targetType: 'payment_card',
        targetId: id,
        after: auditView(card),
      });
      return this.viewWithUsage(botId, card, new Date());
    });
  }

  async update(botId: string, cardId: string, patch: PaymentCardPatch, actor: Actor): Promise<PaymentCardView> {
    assertFields(FIELDS, patch, [], cardNumberProblem(patch));
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'cards');
      // Same lock order as a pick (card set, then the card), so edits and picks never deadlock.
      await this.rotation.lockCardSet(botId);
      const before = await this.find(botId, cardId, true);
      const changes: Partial<PaymentCardEntity> = {};
      if (patch.cardNumber !== undefined) {
        const digits = (parseCardNumber(patch.cardNumber) as { digits: string }).digits;
        if (digits !== before.cardNumber) {
          if (await this.hasPayments(botId, cardId)) {
            throw new DomainError(
              ErrorCode.CONFLICT,
              'This card already has payments; its number cannot change. Add a new card and deactivate this one.',
              [{ field: 'cardNumber', errors: ['cannot change on a card with payments'] }],
            );
          }
          await this.assertNotDuplicate(botId, digits);
          changes.cardNumber = digits;
        }
      }
      if (patch.cardHolderName !== undefined) changes.cardHolderName = patch.cardHolderName;
      if (patch.bankName !== undefined) changes.bankName = patch.bankName;
      if (patch.rotationStrategy !== undefined) changes.rotationStrategy = patch.rotationStrategy;
      if (patch.rotationIntervalMinutes !== undefined) changes.rotationIntervalMinutes = patch.rotationIntervalMinutes;
      if (patch.weight !== undefined) changes.weight = patch.weight;
      if (patch.dailyLimitMinor !== undefined) changes.dailyLimitMinor = patch.dailyLimitMinor;
      if (patch.isActive !== undefined) changes.isActive = patch.isActive;
      if (Object.keys(changes).length === 0) return this.viewWithUsage(botId, before, new Date());
      await this.repos.paymentCards.update(botId, { id: cardId }, changes);
      const after = await this.find(botId, cardId);
      await this.audit.record(botId, {
        actor,
        action: 'payment_card.update',
        targetType: 'payment_card',
        targetId: cardId,
        before: auditView(before),
        after: auditView(after),
      });
      return this.viewWithUsage(botId, after, new Date());
    });
  }

  async remove(botId: string, cardId: string, actor: Actor): Promise<PaymentCardRemoval> {
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'cards');
      await this.rotation.lockCardSet(botId);
      // The row lock also makes a concurrent payment insert (its FK check locks this row) wait,
      // so "no payments" below stays true until we commit.
      const card = await this.find(botId, cardId, true);
      const archive = await this.hasPayments(botId, cardId);
      if (archive) {
        await this.repos.paymentCards.update(botId, { id: cardId }, { deletedAt: new Date(), isActive: false });
      } else {
        await this.repos.paymentCards.delete(botId, { id: cardId });
      }
      await this.audit.record(botId, {
        actor,
        action: archive ? 'payment_card.archive' : 'payment_card.delete',
        targetType: 'payment_card',
        targetId: cardId,
        before: auditView(card),
      });
      return { outcome: archive ? 'archived' : 'deleted' };
    });
  }

  /** The card as the tenant sees it; shared with CardRotationService. */
  view(card: PaymentCardEntity, currency: string, usedTodayMinor: number): PaymentCardView {
    return {
      id: card.id,
      cardNumber: card.cardNumber,
      cardNumberMasked: maskCardNumber(card.cardNumber),
      cardHolderName: card.cardHolderName,
      bankName: card.bankName,
      rotationStrategy: card.rotationStrategy,
      rotationIntervalMinutes: card.rotationIntervalMinutes,
      weight: card.weight,
      dailyLimitMinor: card.dailyLimitMinor,
      usedTodayMinor,
      currency,
      successCount: card.successCount,
      failureCount: card.failureCount,
      currentUsageCount: card.currentUsageCount,
      lastUsedAt: card.lastUsedAt ? card.lastUsedAt.toISOString() : null,
      isActive: card.isActive,
      createdAt: card.createdAt.toISOString(),
      updatedAt: card.updatedAt.toISOString(),
    };
  }

  async viewWithUsage(botId: string, card: PaymentCardEntity, now: Date): Promise<PaymentCardView> {
    const usage = await this.repos.cardDailyUsage.findOne(botId, { cardId: card.id, day: cardUsageDay(now) });
    return this.view(card, await this.currency(botId), usage?.amountMinor ?? 0);
  }

  currency(botId: string): Promise<string> {
    return this.botSelf.currency(botId);
  }

  /** An undeleted card of this bot, else 404 (also for another bot's card id). */
  private async find(botId: string, cardId: string, lock = false): Promise<PaymentCardEntity> {
    const card = await this.repos.paymentCards.findById(botId, cardId, lock ? 'pessimistic_write' : undefined);
    if (!card || card.deletedAt) throw new DomainError(ErrorCode.NOT_FOUND, 'Payment card not found');
    return card;
  }

  private async hasPayments(botId: string, cardId: string): Promise<boolean> {
    return (await this.repos.cardPayments.count(botId, { cardId })) > 0;
  }

  private async assertNotDuplicate(botId: string, cardNumber: string): Promise<void> {
    const same = await this.repos.paymentCards.count(botId, { cardNumber, deletedAt: IsNull() });
    if (same > 0) {
      throw new DomainError(ErrorCode.CONFLICT, 'This card number is already registered for this bot', [
        { field: 'cardNumber', errors: ['is already registered'] },
      ]);
    }
  }
}
