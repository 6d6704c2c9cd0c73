import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import { CardPaymentEntity, PaymentCardEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { CardPaymentOpener } from '../card-payment-opener';
import { mayActFor, OPEN_CARD_PAYMENT_STATUSES, OrderActor } from '../sale-rules';

export interface StartCardPaymentInput {
  botId: string;
  orderId: string;
  /** Who starts it: the user who tapped (the order must be theirs, else NOT_FOUND) or the tenant. */
  by: OrderActor;
  now?: Date;
}

export interface StartedCardPayment {
  payment: CardPaymentEntity;
  card: PaymentCardEntity;
  created: boolean;
}

/**
 * Card-to-card (PRODUCT.md C8), first step: a card from the rotation, a tracking number and a
 * deadline for the order's payment. Idempotent per order: while a payment of the order is open,
 * it is shown again.
 */
@Injectable()
export class StartCardPaymentUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly opener: CardPaymentOpener,
    private readonly features: FeaturesService,
  ) {}

  async execute({ botId, orderId, by, now = new Date() }: StartCardPaymentInput): Promise<StartedCardPayment> {
    if (!(await this.features.isEnabled(botId, 'card_to_card'))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'Card-to-card payments are off for this bot');
    }
    return this.db.run(botId, async () => {
      const order = await this.repos.orders.findById(botId, orderId, 'pessimistic_write');
      if (!order || !mayActFor(by, order)) {
        throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
      }
      if (order.status !== 'pending') throw new DomainError(ErrorCode.ALREADY_PAID, `The order is ${order.status}`);
      const existing = await this.repos.cardPayments.findOne(botId, {
        orderId,
        status: In([...OPEN_CARD_PAYMENT_STATUSES]),
      });
      if (existing) {
        const card = existing.cardId ? await this.repos.paymentCards.findById(botId, existing.cardId) : null;
        if (card) return { payment: existing, card, created: false };
      }
      const opened = await this.opener.open(
        botId,
        { userId: order.userId, orderId: order.id, amountMinor: order.amountMinor },
        now,
      );
      await this.repos.orders.update(botId, { id: order.id }, { paymentMethod: 'card_to_card' });
      return { ...opened, created: true };
    });
  }
}
