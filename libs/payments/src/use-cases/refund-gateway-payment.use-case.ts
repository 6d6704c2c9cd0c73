import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { OrdersService, UserLedgerService, WholesaleWalletService } from '@botfleet/billing';
import { GatewayPaymentEntity, OrderEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { JobName, JobOutbox, jobIdFor } from '@botfleet/jobs';
import { PaymentGateways } from '../payment-gateways';
import { PaymentNotifier } from '../payment-notifier';
import { gatewayRefundKey } from '../port/payment-gateway.port';
import { settleWholesaleOfRefund } from './wholesale-refund-window';

export interface RefundGatewayPaymentInput {
  botId: string;
  paymentId: string;
  actor: Actor;
}

export interface RefundResult {
  /** false when it had been refunded before: nothing changed. */
  applied: boolean;
  payment: GatewayPaymentEntity;
  /**
   * Whether the order's wholesale charge went back to the shop (only within WHOLESALE_REFUND_WINDOW_MS of its
   * payment); false for a wallet refund, and when nothing changed.
   */
  wholesaleReversed: boolean;
}

/** The DisableSubscription reason of a refunded order. */
export const SUBSCRIPTION_REFUNDED = 'refunded';

/**
 * The one job id of a refunded order's take-back (DisableSubscription with its order): every refund path queues it
 * under this id and the sale sweep looks for it under the same, so one take-back is in the queue at a time.
 */
export const takeBackJobId = (botId: string, subscriptionId: string, orderId: string): string =>
  jobIdFor(JobName.DisableSubscription, [botId, subscriptionId, 'refund', orderId]);

/**
 * Gives a gateway payment's money back through its gateway, once (RELIABILITY.md 1, 2). One transaction with the
 * payment row locked: concurrent refunds queue on the lock and the later ones find it `refunded` (no second
 * reversal). Our side is written first and the gateway is asked last, so a gateway that refuses rolls everything
 * back; a crash after the gateway said yes is finished by the next attempt ("already refunded" is success for
 * every adapter).
 * - Paid an order that is `paid`/`fulfilled`: the order becomes `refunded`, the wholesale charge is reversed
 *   (WholesaleWalletService.reverse, its own ledger key) when the refund comes within WHOLESALE_REFUND_WINDOW_MS
 *   of the order's payment (later it stays: the platform delivered the service; `wholesaleReversed`) and what the order gave the subscription is taken back on
 *   its panel (DisableSubscription with the order's id, through the job outbox: ProvisioningService.takeBack), as
 *   the shop's own refund does (RefundOrderUseCase): its days come off the end and its traffic package off the
 *   limit, so a refunded renewal leaves the days earlier orders paid for; when nothing paid remains (always for the
 *   order that created the subscription, unless later renewals paid for more) the account is switched off. An
 *   order still `fulfilling` is refused (CONFLICT: retry once the panel answered).
 * - Money that sits in the wallet (a top-up, an order that was no longer payable, an order whose fulfilment failed
 *   and was refunded to the wallet): the wallet is debited by a `refund` row keyed `<gateway>:<external_id>:refund`;
 *   refused with INSUFFICIENT_BALANCE when it was already spent.
 * A gateway without a refund API answers REFUND_NOT_SUPPORTED and nothing changes.
 */
@Injectable()
export class RefundGatewayPaymentUseCase {
  private readonly logger = new Logger(RefundGatewayPaymentUseCase.name);

  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly gateways: PaymentGateways,
    private readonly orders: OrdersService,
    private readonly wallet: WholesaleWalletService,
    private readonly ledger: UserLedgerService,
    private readonly outbox: JobOutbox,
    private readonly notifier: PaymentNotifier,
    private readonly audit: AuditService,
  ) {}

  async execute({ botId, paymentId, actor }: RefundGatewayPaymentInput): Promise<RefundResult> {
    return this.db.run(botId, async () => {
      const payment = await this.repos.gatewayPayments.findById(botId, paymentId, 'pessimistic_write');
      if (!payment) throw new DomainError(ErrorCode.NOT_FOUND, 'Payment not found');
      if (payment.status === 'refunded') return { applied: false, payment, wholesaleReversed: false };
      const gateway = this.gateways.get(payment.gateway);
      if (!gateway.refundable || !gateway.refund) {
        throw new DomainError(ErrorCode.REFUND_NOT_SUPPORTED, `${gateway.method} payments cannot be refunded online`);
      }
      if (payment.status !== 'paid') {
        throw new DomainError(ErrorCode.CONFLICT, `Only a paid payment can be refunded; this one is ${payment.status}`);
      }
      const order = payment.orderId
        ? await this.repos.orders.findById(botId, payment.orderId, 'pessimistic_write')
        : null;
      let wholesaleReversed = false;
      if (payment.creditedTo === 'order' && order && order.status !== 'refunded') {
        wholesaleReversed = await this.reverseOrder(botId, order);
      } else {
        await this.debitWallet(botId, payment);
      }
      const now = new Date();
      await this.repos.gatewayPayments.update(
        botId,
        { id: payment.id, status: 'paid' },
        { status: 'refunded', refundedAt: now },
      );
      await this.audit.record(botId, {
        actor,
        action: 'gateway_payment.refund',
        targetType: 'gateway_payment',
        targetId: payment.id,
        before: { status: 'paid' },
        after: { status: 'refunded', orderId: payment.orderId, wholesaleReversed },
      });
      await this.notifier.notify(botId, payment.id, 'refunded');
      // Last: a refusal rolls back everything above.
      await gateway.refund(botId, payment);
      this.logger.log({ botId, paymentId, gateway: gateway.method }, 'gateway payment refunded');
      return {
        applied: true,
        payment: (await this.repos.gatewayPayments.findById(botId, payment.id))!,
        wholesaleReversed,
      };
    });
  }

  /** Returns whether the wholesale charge was reversed (within the window). */
  private async reverseOrder(botId: string, order: OrderEntity): Promise<boolean> {
    if (order.status !== 'paid' && order.status !== 'fulfilled') {
      throw new DomainError(ErrorCode.CONFLICT, `The order is ${order.status}; try again once it is settled`);
    }
    await this.orders.transitionOrThrow(botId, order.id, order.status, 'refunded', {}, ErrorCode.CONFLICT);
    const wholesaleReversed = await settleWholesaleOfRefund(this.wallet, botId, order);
    if (order.subscriptionId) {
      await this.outbox.add(
        botId,
        JobName.DisableSubscription,
        { botId, subscriptionId: order.subscriptionId, reason: SUBSCRIPTION_REFUNDED, orderId: order.id },
        takeBackJobId(botId, order.subscriptionId, order.id),
      );
    }
    return wholesaleReversed;
  }

  private async debitWallet(botId: string, payment: GatewayPaymentEntity): Promise<void> {
    await this.ledger.post(botId, {
      userId: payment.userId,
      type: 'refund',
      amountMinor: -payment.amountMinor,
      idempotencyKey: gatewayRefundKey(payment.gateway, payment.externalId!),
      reference: `${payment.gateway}:${payment.id}`,
      note: 'Refunded through the payment gateway',
    });
  }
}
