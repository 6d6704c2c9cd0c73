import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { OrdersService, UserLedgerService, WholesaleWalletService } from '@botfleet/billing';
import { GatewayPaymentEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { FulfilOrderUseCase } from '@botfleet/sales';
import { PaymentNotifier } from '../payment-notifier';
import { GatewayDetails, gatewayCreditKey } from '../port/payment-gateway.port';

export interface SettleGatewayPaymentInput {
  botId: string;
  paymentId: string;
  /** What the gateway said when it confirmed the money (its reference, card mask …). */
  gatewayRef?: string | null;
  details?: GatewayDetails;
}

export interface SettleResult {
  /** false when the payment had already been settled: nothing changed (a replay, a concurrent callback). */
  applied: boolean;
  payment: GatewayPaymentEntity;
}

/** Statuses money may still arrive for: a payment we gave up on (failed, expired) that the gateway says is paid. */
const SETTLEABLE = ['pending', 'failed', 'expired'] as const;

/**
 * THE one place where gateway money lands (RELIABILITY.md 1, 2, 6), for every gateway alike, once the adapter has
 * verified it. One transaction: the payment row is locked and moves to `paid` conditionally, then
 * - an order that is still payable is paid with it (pending → paid, payment_method = the gateway), its wholesale
 *   hold captured and fulfilment started: the same FulfilOrderUseCase path as the wallet and the card approval;
 * - a top-up, or an order that is no longer payable (expired, paid another way, a receipt under review, its hold
 *   released), becomes one ledger `deposit` keyed `<gateway>:<external_id>` in the user's wallet, and the user
 *   is told (job outbox, after the commit). The money is never lost and never credited twice.
 * A second settle of the same payment — a replay, a concurrent callback, the reconciler — waits on the row lock,
 * finds it paid and changes nothing (`applied: false`).
 */
@Injectable()
export class SettleGatewayPaymentUseCase {
  private readonly logger = new Logger(SettleGatewayPaymentUseCase.name);

  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly orders: OrdersService,
    private readonly wallet: WholesaleWalletService,
    private readonly ledger: UserLedgerService,
    private readonly fulfilOrder: FulfilOrderUseCase,
    private readonly notifier: PaymentNotifier,
  ) {}

  async execute({ botId, paymentId, gatewayRef = null, details = {} }: SettleGatewayPaymentInput): Promise<SettleResult> {
    return this.db.run(botId, async () => {
      const payment = await this.repos.gatewayPayments.findById(botId, paymentId, 'pessimistic_write');
      if (!payment) throw new DomainError(ErrorCode.NOT_FOUND, 'Payment not found');
      if (!(SETTLEABLE as readonly string[]).includes(payment.status)) return { applied: false, payment };
      if (!payment.externalId) throw new Error('A gateway payment without its gateway id cannot be settled');

      const creditedTo = payment.purpose === 'order' && (await this.payOrder(botId, payment)) ? 'order' : 'wallet';
      if (creditedTo === 'wallet') await this.deposit(botId, payment);
      const now = new Date();
      const changed = await this.repos.gatewayPayments.update(
        botId,
        { id: payment.id, status: payment.status },
        {
          status: 'paid',
          paidAt: now,
          creditedTo,
          gatewayRef: gatewayRef ?? payment.gatewayRef,
          details: { ...payment.details, ...details },
          failureReason: null,
        },
      );
      // The row is locked: nobody else can have moved it.
      if (!changed) throw new Error(`Gateway payment ${payment.id} changed under its lock`);
      if (creditedTo === 'wallet') {
        await this.notifier.notify(botId, payment.id, payment.purpose === 'topup' ? 'topup_credited' : 'paid_to_wallet');
      }
      this.logger.log({ botId, paymentId, gateway: payment.gateway, creditedTo }, 'gateway payment settled');
      return { applied: true, payment: (await this.repos.gatewayPayments.findById(botId, payment.id))! };
    });
  }

  /**
   * Pays the order with this payment when it is still payable; false (and nothing changed, thanks to the
   * savepoint) when it is not, so the money goes to the wallet instead.
   */
  private async payOrder(botId: string, payment: GatewayPaymentEntity): Promise<boolean> {
    const orderId = payment.orderId!;
    const order = await this.repos.orders.findById(botId, orderId, 'pessimistic_write');
    if (!order || order.status !== 'pending') return false;
    if (order.amountMinor !== payment.amountMinor || order.currency !== payment.currency) return false;
    // A receipt under review is money the user may also have sent by card: the admins decide that one, and this
    // payment is kept in the wallet rather than leaving the review waiting on a paid order forever.
    if (await this.repos.cardPayments.findOne(botId, { orderId, status: 'pending' })) return false;
    try {
      return await this.db.atomic(botId, async () => {
        await this.orders.transitionOrThrow(botId, orderId, 'pending', 'paid', {
          paidAt: new Date(),
          paymentMethod: payment.gateway,
        });
        const paid = (await this.repos.orders.findById(botId, orderId))!;
        await this.wallet.capture(botId, paid.id, paid.trafficBytes);
        await this.fulfilOrder.execute({ botId, order: paid });
        return true;
      });
    } catch (e) {
      // The order cannot be sold now (its hold was released, the shop wallet refuses): the money is the user's.
      if (!DomainError.is(e)) throw e;
      this.logger.warn({ botId, orderId, code: e.code }, 'gateway money for an order that cannot be paid: to the wallet');
      return false;
    }
  }

  private async deposit(botId: string, payment: GatewayPaymentEntity): Promise<void> {
    await this.ledger.post(botId, {
      userId: payment.userId,
      type: 'deposit',
      amountMinor: payment.amountMinor,
      idempotencyKey: gatewayCreditKey(payment.gateway, payment.externalId!),
      reference: `${payment.gateway}:${payment.id}`,
      note: payment.purpose === 'order' ? `order ${payment.orderId} was no longer payable` : undefined,
    });
  }
}
