import { Injectable } from '@nestjs/common';
import { In, MoreThan } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { CardRotationService, FeaturesService } from '@botfleet/catalog';
import { CardPaymentEntity, PaymentCardEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { CardPaymentOpener, RECEIPT_ACCEPTING_STATUSES } from '@botfleet/sales';
import { TopUpOptions } from './top-up-options.service';
import { assertTopUpAmount } from './top-up-rules';

export interface StartCardTopUpInput {
  botId: string;
  userId: string;
  amountMinor: number;
  /** The user's pending order the top-up is for (the wallet could not cover it); offered to be paid once credited. */
  forOrderId?: string | null;
  now?: Date;
}

export interface StartedCardTopUp {
  payment: CardPaymentEntity;
  card: PaymentCardEntity;
  created: boolean;
}

/**
 * A wallet top-up paid card to card: a card from the rotation, a tracking number and a deadline, exactly like
 * an order's card payment, so the receipt, the admins' review, the reminders and the expiry are the sale's own
 * (SubmitReceipt / ApproveReceipt / RejectReceipt / ExpireCardPayments); approving it posts one `deposit`.
 * - The amount must be within the tenant's limits (VALIDATION_FAILED, nothing written otherwise).
 * - A user has at most one top-up waiting for a receipt: the same amount (and order) again shows it again (five
 *   taps make one payment); another amount ends the waiting one (its card's daily amount given back) first.
 */
@Injectable()
export class StartCardTopUpUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly rotation: CardRotationService,
    private readonly opener: CardPaymentOpener,
    private readonly features: FeaturesService,
    private readonly options: TopUpOptions,
  ) {}

  async execute({
    botId,
    userId,
    amountMinor,
    forOrderId = null,
    now = new Date(),
  }: StartCardTopUpInput): Promise<StartedCardTopUp> {
    const enabled = await this.features.enabledSet(botId);
    if (!enabled.has('wallet')) throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'The wallet is off for this bot');
    if (!enabled.has('card_to_card')) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'Card-to-card payments are off for this bot');
    }
    assertTopUpAmount(amountMinor, await this.options.limits(botId));
    return this.db.run(botId, async () => {
      // The user's lock serialises their top-ups: concurrent taps find the payment the first one made.
      const user = await this.repos.users.findById(botId, userId, 'pessimistic_write');
      if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
      if (user.status === 'blocked') throw new DomainError(ErrorCode.FORBIDDEN, 'This user is blocked');
      if (forOrderId) {
        const order = await this.repos.orders.findOne(botId, { id: forOrderId, userId });
        if (!order) throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
        if (order.status !== 'pending') throw new DomainError(ErrorCode.ALREADY_PAID, `The order is ${order.status}`);
      }
      const waiting = await this.repos.cardPayments.find(botId, {
        where: {
          userId,
          purpose: 'topup',
          status: In([...RECEIPT_ACCEPTING_STATUSES]),
          expiresAt: MoreThan(now),
        },
      });
      for (const w of waiting) {
        if (w.amountMinor === amountMinor && w.forOrderId === forOrderId && w.cardId) {
          const card = await this.repos.paymentCards.findById(botId, w.cardId);
          if (card) return { payment: w, card, created: false };
        }
        // Replaced by the new amount: a receipt sent meanwhile wins (the conditional update finds it moved).
        if (await this.repos.cardPayments.update(botId, { id: w.id, status: w.status }, { status: 'expired' })) {
          if (w.cardId) await this.rotation.releaseAmount(botId, w.cardId, w.amountMinor, w.createdAt);
        }
      }
      const opened = await this.opener.open(botId, { purpose: 'topup', userId, forOrderId, amountMinor }, now);
      return { ...opened, created: true };
    });
  }
}
