import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { OrdersService, TenantWalletService, UserLedgerService } from '@botfleet/billing';
import { FeaturesService } from '@botfleet/catalog';
import { OrderEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { FulfilmentService } from './fulfilment.service';

/** Paying an order from the user's wallet: debit, paid, captured, fulfilling — one transaction. */
@Injectable()
export class WalletPaymentService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly orders: OrdersService,
    private readonly ledger: UserLedgerService,
    private readonly wallet: TenantWalletService,
    private readonly features: FeaturesService,
    private readonly fulfilment: FulfilmentService,
  ) {}

  async pay(botId: string, orderId: string): Promise<OrderEntity> {
    if (!(await this.features.isEnabled(botId, 'wallet'))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'Wallet payments are off for this bot');
    }
    const order = await this.db.run(botId, async () => {
      const o = await this.repos.orders.findById(botId, orderId, 'pessimistic_write');
      if (!o) throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
      if (o.status !== 'pending') throw new DomainError(ErrorCode.ALREADY_PAID, `The order is ${o.status}`);
      await this.ledger.post(botId, {
        userId: o.userId,
        type: 'purchase',
        amountMinor: -o.amountMinor,
        idempotencyKey: `order:${o.id}:purchase`,
        orderId: o.id,
        reference: `order:${o.id}`,
      });
      await this.orders.transitionOrThrow(botId, o.id, 'pending', 'paid', {
        paidAt: new Date(),
        paymentMethod: 'wallet',
      });
      const paid = (await this.repos.orders.findById(botId, o.id))!;
      await this.wallet.capture(botId, paid.id, paid.trafficBytes);
      await this.fulfilment.begin(botId, paid);
      await this.fulfilment.enqueue(botId, paid.id);
      return (await this.repos.orders.findById(botId, paid.id))!;
    });
    return order;
  }
}
