import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { AdminAccessService } from '@botfleet/bots';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { OrdersService, UserLedgerService, WholesaleWalletService } from '@botfleet/billing';
import { OrderEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { JobName, JobOutbox } from '@botfleet/jobs';
import { SaleNotifier } from '@botfleet/sales';
import { PaymentGateways } from '../payment-gateways';
import { SUBSCRIPTION_REFUNDED, takeBackJobId } from './refund-gateway-payment.use-case';
import { settleWholesaleOfRefund } from './wholesale-refund-window';

/** Where the refunded money goes: the customer's wallet, or back outside the product (a card transfer by the shop). */
export const REFUND_DESTINATIONS = ['wallet', 'offline'] as const;
export type RefundDestination = (typeof REFUND_DESTINATIONS)[number];

export interface RefundOrderInput {
  botId: string;
  orderId: string;
  reason: string;
  to: RefundDestination;
  actor: Actor;
}

export interface RefundOrderResult {
  order: OrderEntity;
  /** What went into the customer's wallet (0 for `offline`). */
  walletCreditedMinor: number;
  /**
   * Whether the shop got the wholesale cost back: only within WHOLESALE_REFUND_WINDOW_MS of the order's payment;
   * a later refund leaves the charge (the platform delivered the service).
   */
  wholesaleReversed: boolean;
}

/** The ledger key of an order's refund into the wallet: the same as a failed fulfilment's, so one order credits once. */
export const orderRefundKey = (orderId: string) => `order:${orderId}:refund`;

/**
 * The shop takes back a paid order it sold by card-to-card receipt, from the wallet, or through a gateway without
 * a refund API (Zarinpal, Crypto Pay): a receipt approved by mistake, a customer who asked for their money. One
 * transaction under the order's row lock, so two refunds take turns and the second finds it refunded
 * (ALREADY_REFUNDED, nothing changes):
 * - the order moves `paid`/`fulfilled` → `refunded` (conditional); the referral commission paid on it is taken
 *   back by its order hook (libs/growth, `referral:{id}:reversal`);
 * - the wholesale charge is reversed (WholesaleWalletService.reverse, `order:{id}:wholesale-refund`) only when the
 *   refund comes within WHOLESALE_REFUND_WINDOW_MS (48 h) of the order's payment (`paid_at`); a later refund
 *   still refunds the customer and takes the service back, but the charge stays (the platform delivered it), the
 *   same for an order that charged nothing; the result and the audit row say `wholesaleReversed`;
 * - `to: 'wallet'` credits the customer what the order charged (`order:{id}:refund`); `offline` records that the
 *   shop paid it back itself;
 * - what the order gave the subscription is taken back on its panel (DisableSubscription with the order's id,
 *   through the job outbox: ProvisioningService.takeBack): its days come off the end and its traffic package off
 *   the limit, so a refunded renewal leaves the days other orders paid for; when nothing paid remains (always for
 *   the order that created the subscription, unless later renewals paid for more) the account is switched off;
 * - the customer is told (SaleNotification `order_refunded`) and the step is audited with its actor and reason.
 * An order still `fulfilling` is refused (CONFLICT: the panel has not answered yet). Gateways that refund through
 * their own API (Telegram Stars) keep their route (`POST …/payments/{id}/refund`): REFUND_NOT_SUPPORTED here.
 */
@Injectable()
export class RefundOrderUseCase {
  private readonly logger = new Logger(RefundOrderUseCase.name);

  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly access: AdminAccessService,
    private readonly gateways: PaymentGateways,
    private readonly orders: OrdersService,
    private readonly wallet: WholesaleWalletService,
    private readonly ledger: UserLedgerService,
    private readonly outbox: JobOutbox,
    private readonly notifier: SaleNotifier,
    private readonly audit: AuditService,
  ) {}

  /** Whether the shop refunds this order here: paid or delivered, charged, and not by a gateway that refunds itself. */
  refundable(order: Pick<OrderEntity, 'status' | 'kind' | 'paymentMethod'>): boolean {
    if (order.status !== 'paid' && order.status !== 'fulfilled') return false;
    if (order.kind === 'trial' || !order.paymentMethod || order.paymentMethod === 'free') return false;
    return !this.gateways.find(order.paymentMethod)?.refundable;
  }

  async execute({ botId, orderId, reason, to, actor }: RefundOrderInput): Promise<RefundOrderResult> {
    const result = await this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'receipts');
      // Into the customer's wallet is money moved by hand, as a balance adjustment is: the `wallet` permission too
      // (an admin, who reviews receipts but may not grant balance, refunds only as paid back outside).
      if (to === 'wallet') await this.access.authorize(botId, actor, 'wallet');
      const order = await this.repos.orders.findById(botId, orderId, 'pessimistic_write');
      if (!order) throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
      if (order.status === 'refunded') {
        throw new DomainError(ErrorCode.ALREADY_REFUNDED, 'This order was refunded already', { orderId });
      }
      await this.refusePaidOnline(botId, order);
      if (order.kind === 'trial' || order.paymentMethod === 'free' || !order.paymentMethod) {
        throw new DomainError(ErrorCode.CONFLICT, 'Nothing was paid for this order');
      }
      if (order.status === 'fulfilling') {
        throw new DomainError(
          ErrorCode.CONFLICT,
          'The subscription of this order is still being set up on the panel; try again in a minute',
        );
      }
      if (order.status !== 'paid' && order.status !== 'fulfilled') {
        throw new DomainError(ErrorCode.CONFLICT, `Only a paid order can be refunded; this one is ${order.status}`);
      }

      await this.orders.transitionOrThrow(botId, order.id, order.status, 'refunded', {}, ErrorCode.ALREADY_REFUNDED);
      const wholesaleReversed = await settleWholesaleOfRefund(this.wallet, botId, order);
      let walletCreditedMinor = 0;
      if (to === 'wallet' && order.amountMinor > 0) {
        const posted = await this.ledger.post(botId, {
          userId: order.userId,
          type: 'refund',
          amountMinor: order.amountMinor,
          idempotencyKey: orderRefundKey(order.id),
          orderId: order.id,
          reference: `order:${order.id}`,
          note: `Refunded by the shop: ${reason}`.slice(0, 500),
        });
        walletCreditedMinor = posted.applied ? order.amountMinor : 0;
      }
      // A gateway payment of this order (no refund API) shows as refunded in the payment history.
      await this.repos.gatewayPayments.update(
        botId,
        { orderId: order.id, status: 'paid', creditedTo: 'order' },
        { status: 'refunded', refundedAt: new Date() },
      );
      if (order.subscriptionId) {
        await this.outbox.add(
          botId,
          JobName.DisableSubscription,
          { botId, subscriptionId: order.subscriptionId, reason: SUBSCRIPTION_REFUNDED, orderId: order.id },
          takeBackJobId(botId, order.subscriptionId, order.id),
        );
      }
      await this.audit.record(botId, {
        actor,
        action: 'order.refund',
        targetType: 'order',
        targetId: order.id,
        before: { status: order.status },
        after: {
          status: 'refunded',
          to,
          reason,
          amountMinor: order.amountMinor,
          paymentMethod: order.paymentMethod,
          subscriptionId: order.subscriptionId,
          wholesaleReversed,
        },
      });
      await this.notifier.notify(botId, 'order_refunded', { orderId: order.id, refundTo: to });
      return { order: (await this.repos.orders.findById(botId, order.id))!, walletCreditedMinor, wholesaleReversed };
    });
    this.logger.log({ botId, orderId, to, wholesaleReversed: result.wholesaleReversed }, 'order refunded by the shop');
    return result;
  }

  /** Money taken by a gateway that can give it back itself goes back that way, never twice. */
  private async refusePaidOnline(botId: string, order: OrderEntity): Promise<void> {
    const gateway = order.paymentMethod ? this.gateways.find(order.paymentMethod) : undefined;
    if (!gateway?.refundable) return;
    const payment = await this.repos.gatewayPayments.findOne(botId, { orderId: order.id, gateway: gateway.method });
    throw new DomainError(
      ErrorCode.REFUND_NOT_SUPPORTED,
      `This order was paid with ${gateway.method}: refund its payment through POST /v1/bots/{botId}/payments/{paymentId}/refund`,
      { paymentId: payment?.id ?? null },
    );
  }
}
