import { Injectable } from '@nestjs/common';
import { In, LessThanOrEqual } from 'typeorm';
import { OrdersService, WholesaleWalletService } from '@botfleet/billing';
import { CardRotationService } from '@botfleet/catalog';
import { CardPaymentEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { SaleNotifier } from '../sale-events';
import { EXPIRING_CARD_PAYMENT_STATUSES } from '../sale-rules';

export interface ExpireCardPaymentsInput {
  botId: string;
  now?: Date;
}

/**
 * Card payments past their deadline without a receipt under review (the deadline covers only sending the
 * receipt; a receipt sent waits for a decision, see RemindReviewsUseCase): payment and order expire, the wholesale hold is released, the
 * card's daily amount is given back and the user is told — each payment in its own transaction, by a
 * conditional update (a receipt or a review that wins the race keeps its payment). Returns the expired.
 */
@Injectable()
export class ExpireCardPaymentsUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly orders: OrdersService,
    private readonly wallet: WholesaleWalletService,
    private readonly rotation: CardRotationService,
    private readonly notifier: SaleNotifier,
  ) {}

  async execute({ botId, now = new Date() }: ExpireCardPaymentsInput): Promise<CardPaymentEntity[]> {
    const due = await this.repos.cardPayments.find(botId, {
      where: { status: In([...EXPIRING_CARD_PAYMENT_STATUSES]), expiresAt: LessThanOrEqual(now) },
      take: 500,
    });
    const expired: CardPaymentEntity[] = [];
    for (const p of due) {
      const done = await this.db.run(botId, async () => {
        const changed = await this.repos.cardPayments.update(
          botId,
          { id: p.id, status: p.status },
          { status: 'expired' },
        );
        if (!changed) return false;
        // The money never arrived on that card: stop counting it against the card's daily limit.
        if (p.cardId) await this.rotation.releaseAmount(botId, p.cardId, p.amountMinor, p.createdAt);
        // A wallet top-up has no order: the payment ends and the user is told.
        if (!p.orderId) {
          await this.notifier.notify(botId, 'payment_expired', { paymentId: p.id });
          return true;
        }
        // An order paid another way meanwhile (the wallet) keeps its hold and its sale: only the payment ends.
        if (!(await this.orders.transition(botId, p.orderId, 'pending', 'expired'))) return true;
        await this.wallet.release(botId, p.orderId);
        await this.notifier.notify(botId, 'payment_expired', { paymentId: p.id });
        return true;
      });
      if (done) expired.push(p);
    }
    return expired;
  }
}
