import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { OrdersService, WholesaleWalletService, UserLedgerService } from '@botfleet/billing';
import { FeaturesService } from '@botfleet/catalog';
import { OrderEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { mayActFor, OrderActor } from '../sale-rules';
import { FulfilOrderUseCase } from './fulfil-order.use-case';

export interface PayFromWalletInput {
  botId: string;
  orderId: string;
  /** Who pays: the user who tapped (the order must be theirs, else NOT_FOUND) or the tenant. */
  by: OrderActor;
}

/** What INSUFFICIENT_BALANCE carries, so an outlet can show the real figures. */
export interface WalletShortDetails {
  balanceMinor: number;
  requiredMinor: number;
  currency: string;
}

/**
 * Paying an order from the user's wallet: debit, paid, wholesale captured, fulfilling — one
 * transaction. A short wallet is INSUFFICIENT_BALANCE with the balance, the price and the currency.
 */
@Injectable()
export class PayFromWalletUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly orders: OrdersService,
    private readonly ledger: UserLedgerService,
    private readonly wallet: WholesaleWalletService,
    private readonly features: FeaturesService,
    private readonly fulfilOrder: FulfilOrderUseCase,
  ) {}

  async execute({ botId, orderId, by }: PayFromWalletInput): Promise<OrderEntity> {
    if (!(await this.features.isEnabled(botId, 'wallet'))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'Wallet payments are off for this bot');
    }
    return this.db.run(botId, async () => {
      const o = await this.repos.orders.findById(botId, orderId, 'pessimistic_write');
      if (!o || !mayActFor(by, o)) {
        throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
      }
      if (o.status !== 'pending') throw new DomainError(ErrorCode.ALREADY_PAID, `The order is ${o.status}`);
      // A receipt under review is money the user may already have sent: the admins decide it first, else an
      // approval would find the order paid and the payment would wait for a review forever.
      if (await this.repos.cardPayments.findOne(botId, { orderId: o.id, status: 'pending' })) {
        throw new DomainError(ErrorCode.CONFLICT, 'A receipt for this order is under review');
      }
      await this.debit(botId, o);
      await this.orders.transitionOrThrow(botId, o.id, 'pending', 'paid', {
        paidAt: new Date(),
        paymentMethod: 'wallet',
      });
      const paid = (await this.repos.orders.findById(botId, o.id))!;
      await this.wallet.capture(botId, paid.id, paid.trafficBytes);
      await this.fulfilOrder.execute({ botId, order: paid });
      return (await this.repos.orders.findById(botId, paid.id))!;
    });
  }

  private async debit(botId: string, o: OrderEntity): Promise<void> {
    try {
      await this.ledger.post(botId, {
        userId: o.userId,
        type: 'purchase',
        amountMinor: -o.amountMinor,
        idempotencyKey: `order:${o.id}:purchase`,
        orderId: o.id,
        reference: `order:${o.id}`,
      });
    } catch (e) {
      if (!DomainError.is(e, ErrorCode.INSUFFICIENT_BALANCE)) throw e;
      const { balanceMinor } = e.details as { balanceMinor: number };
      const details: WalletShortDetails = { balanceMinor, requiredMinor: o.amountMinor, currency: o.currency };
      throw new DomainError(ErrorCode.INSUFFICIENT_BALANCE, e.message, details);
    }
  }
}
