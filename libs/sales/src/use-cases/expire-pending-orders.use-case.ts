import { Injectable } from '@nestjs/common';
import { PendingOrders } from '../pending-orders.service';

export interface ExpirePendingOrdersInput {
  botId: string;
  now?: Date;
}

/**
 * Pending orders past their deadline (`ORDER_PAYMENT_TIMEOUT_MINUTES`) with no card payment open — left on
 * the payment-method screen, refused a card, or never paid at all — expire and release their wholesale hold,
 * each in its own transaction by conditional updates (a payment that wins the race keeps its order). Card
 * payments keep their own deadline (ExpireCardPaymentsUseCase); a receipt under review is never expired.
 * Returns the ids of the orders that expired.
 */
@Injectable()
export class ExpirePendingOrdersUseCase {
  constructor(private readonly pending: PendingOrders) {}

  async execute({ botId, now = new Date() }: ExpirePendingOrdersInput): Promise<string[]> {
    const expired: string[] = [];
    for (const order of await this.pending.overdue(botId, now)) {
      if (await this.pending.end(botId, order.id)) expired.push(order.id);
    }
    return expired;
  }
}
