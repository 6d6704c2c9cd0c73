import { Injectable } from '@nestjs/common';
import { CardRotationService, ConfigurationsService } from '@botfleet/catalog';
import {
  CardPaymentEntity,
  CardPaymentRepository,
  NewCardPayment,
  PaymentCardEntity,
  TenantRepositories,
} from '@botfleet/dal';
import { cardTrackingNumber } from './tracking-number';

/** A card payment to open: what it is for; the card, the tracking number and the deadline are the opener's. */
export type CardPaymentToOpen = WithoutPlacement<NewCardPayment>;
type WithoutPlacement<P> = P extends unknown ? Omit<P, 'cardId' | 'trackingNumber' | 'expiresAt'> : never;

/**
 * Opens a card-to-card payment, the one way both an order's and a wallet top-up's are opened: on the card the
 * rotation picks for the amount, with a tracking number not yet used in the bot (drawn again on a clash) and
 * the deadline of the tenant's `receipt_ttl_minutes`. Runs in the caller's transaction; the caller decides
 * whether a payment is opened at all.
 */
@Injectable()
export class CardPaymentOpener {
  constructor(
    private readonly repos: TenantRepositories,
    private readonly cardPayments: CardPaymentRepository,
    private readonly rotation: CardRotationService,
    private readonly configurations: ConfigurationsService,
  ) {}

  async open(
    botId: string,
    payment: CardPaymentToOpen,
    now: Date,
  ): Promise<{ payment: CardPaymentEntity; card: PaymentCardEntity }> {
    const picked = await this.rotation.pickCard(botId, payment.amountMinor, { now });
    const card = (await this.repos.paymentCards.findById(botId, picked.card.id))!;
    const ttl = await this.configurations.get(botId, 'receipt_ttl_minutes');
    const expiresAt = new Date(now.getTime() + Number(ttl) * 60_000);
    let id: string | null = null;
    for (let attempt = 0; !id && attempt < 5; attempt++) {
      id = await this.cardPayments.insertUnlessTrackingTaken(botId, {
        ...payment,
        cardId: card.id,
        trackingNumber: cardTrackingNumber(now),
        expiresAt,
      });
    }
    if (!id) throw new Error('Could not allocate a tracking number');
    return { payment: (await this.repos.cardPayments.findById(botId, id))!, card };
  }
}
