import { Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { AuditService } from '@botfleet/audit';
import { OrdersService, UserLedgerService, WholesaleWalletService } from '@botfleet/billing';
import { CardRotationService } from '@botfleet/catalog';
import { CardPaymentEntity, CardPaymentRepository, TenantDb, TenantRepositories } from '@botfleet/dal';
import { ReviewPolicy } from '../review-policy';
import { SaleNotifier } from '../sale-events';
import { FulfilOrderUseCase } from './fulfil-order.use-case';

export interface ApproveReceiptInput {
  botId: string;
  paymentId: string;
  /** Who approves: the tenant's token, the operator, or an admin of the bot (checked). */
  actor: Actor;
}

/**
 * Approve a card-to-card receipt (PRODUCT.md C8), by REST or by the admin chat's button alike:
 * payment pending → approved, order pending → paid → fulfilling with its subscription, the wholesale
 * hold captured, the card's success counted — one transaction. Every move is a conditional update,
 * so a hundred concurrent approvals give one, and the losers get ALREADY_REVIEWED with nothing
 * changed — at once, without waiting for the winner's transaction (`CardPaymentRepository.tryClaimReview`). The provisioning job and the notifications go through the job outbox. A `bot_admin`
 * who is not an admin of this bot gets FORBIDDEN and nothing changes.
 */
@Injectable()
export class ApproveReceiptUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly orders: OrdersService,
    private readonly wallet: WholesaleWalletService,
    private readonly rotation: CardRotationService,
    private readonly fulfilOrder: FulfilOrderUseCase,
    private readonly audit: AuditService,
    private readonly notifier: SaleNotifier,
    private readonly reviewPolicy: ReviewPolicy,
    private readonly ledger: UserLedgerService,
    private readonly cardPayments: CardPaymentRepository,
  ) {}

  async execute({ botId, paymentId, actor }: ApproveReceiptInput): Promise<CardPaymentEntity> {
    return this.db.run(botId, async () => {
      await this.reviewPolicy.assertReviewer(botId, actor);
      const current = await this.repos.cardPayments.findById(botId, paymentId);
      if (!current) throw new DomainError(ErrorCode.NOT_FOUND, 'Card payment not found');
      if (current.status === 'awaiting_receipt') {
        throw new DomainError(ErrorCode.CONFLICT, 'No receipt has been submitted for this payment yet');
      }
      // The losers of a race answer at once and give their connection back: a payment already decided is told
      // before any lock, and one whose review is in flight (the claim is taken) without waiting for that review.
      if (current.status !== 'pending' || !(await this.cardPayments.tryClaimReview(botId, paymentId))) {
        throw new DomainError(ErrorCode.ALREADY_REVIEWED, 'Someone else already reviewed this receipt');
      }
      const now = new Date();
      const changed = await this.repos.cardPayments.update(
        botId,
        { id: paymentId, status: 'pending' },
        { status: 'approved', reviewedBy: ReviewPolicy.reviewedBy(actor), reviewedAt: now },
      );
      if (!changed) throw new DomainError(ErrorCode.ALREADY_REVIEWED, 'Someone else already reviewed this receipt');
      if (current.purpose === 'topup') return this.creditTopUp(botId, current, actor);
      await this.orders.transitionOrThrow(
        botId,
        current.orderId!,
        'pending',
        'paid',
        { paidAt: now },
        ErrorCode.ALREADY_PAID,
      );
      const order = (await this.repos.orders.findById(botId, current.orderId!))!;
      await this.wallet.capture(botId, order.id, order.trafficBytes);
      await this.fulfilOrder.execute({ botId, order });
      if (current.cardId) await this.rotation.recordOutcome(botId, current.cardId, true);
      await this.audit.record(botId, {
        actor,
        action: 'card_payment.approve',
        targetType: 'card_payment',
        targetId: paymentId,
        before: { status: 'pending' },
        after: { status: 'approved', orderId: order.id },
      });
      await this.notifier.notify(botId, 'receipt_approved', { paymentId });
      return (await this.repos.cardPayments.findById(botId, paymentId))!;
    });
  }

  /**
   * A wallet top-up's receipt approved (the payment already moved to approved above, by the conditional update
   * that only one review wins): one `deposit` in the user's ledger, keyed by the payment, so even a replay that
   * got this far could not credit twice.
   */
  private async creditTopUp(botId: string, p: CardPaymentEntity, actor: Actor): Promise<CardPaymentEntity> {
    const { entry } = await this.ledger.post(botId, {
      userId: p.userId,
      type: 'deposit',
      amountMinor: p.amountMinor,
      idempotencyKey: cardTopUpDepositKey(p.id),
      reference: `card_payment:${p.id}`,
      note: `top-up ${p.trackingNumber}`,
    });
    if (p.cardId) await this.rotation.recordOutcome(botId, p.cardId, true);
    await this.audit.record(botId, {
      actor,
      action: 'card_payment.approve',
      targetType: 'card_payment',
      targetId: p.id,
      before: { status: 'pending' },
      after: { status: 'approved', purpose: 'topup', transactionId: entry.id },
    });
    await this.notifier.notify(botId, 'receipt_approved', { paymentId: p.id });
    return (await this.repos.cardPayments.findById(botId, p.id))!;
  }
}

/** The ledger key of a card top-up's deposit: one per payment. */
export const cardTopUpDepositKey = (paymentId: string): string => `card:${paymentId}:deposit`;
