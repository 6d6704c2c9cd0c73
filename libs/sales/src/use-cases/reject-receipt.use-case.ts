import { Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { AuditService } from '@botfleet/audit';
import { CardRotationService, ConfigurationsService } from '@botfleet/catalog';
import { CardPaymentEntity, CardPaymentRepository, TenantDb, TenantRepositories } from '@botfleet/dal';
import { ReviewPolicy } from '../review-policy';
import { SaleNotifier } from '../sale-events';
import { REJECTION_REASON_MAX } from '../sale-rules';

export interface RejectReceiptInput {
  botId: string;
  paymentId: string;
  /** Who rejects; the same rule as approving. */
  actor: Actor;
  /** Shown to the user: 1 to REJECTION_REASON_MAX characters. */
  reason: string;
}

/**
 * Reject a card-to-card receipt with a reason: the user is told and may send another receipt until
 * the payment expires; the card's failure is counted. A conditional update, so only one review wins.
 */
@Injectable()
export class RejectReceiptUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly rotation: CardRotationService,
    private readonly audit: AuditService,
    private readonly notifier: SaleNotifier,
    private readonly reviewPolicy: ReviewPolicy,
    private readonly configurations: ConfigurationsService,
    private readonly cardPayments: CardPaymentRepository,
  ) {}

  async execute({ botId, paymentId, actor, reason }: RejectReceiptInput): Promise<CardPaymentEntity> {
    const why = reason.trim();
    if (!why || why.length > REJECTION_REASON_MAX) {
      throw new DomainError(
        ErrorCode.VALIDATION_FAILED,
        `A reason of 1 to ${REJECTION_REASON_MAX} characters is required`,
        [{ field: 'reason', errors: [`must be 1 to ${REJECTION_REASON_MAX} characters`] }],
      );
    }
    return this.db.run(botId, async () => {
      await this.reviewPolicy.assertReviewer(botId, actor);
      const current = await this.repos.cardPayments.findById(botId, paymentId);
      if (!current) throw new DomainError(ErrorCode.NOT_FOUND, 'Card payment not found');
      if (current.status === 'awaiting_receipt') {
        throw new DomainError(ErrorCode.CONFLICT, 'No receipt has been submitted yet');
      }
      // As in approving: a decided payment, or one whose review is in flight, is refused at once, without a wait.
      if (current.status !== 'pending' || !(await this.cardPayments.tryClaimReview(botId, paymentId))) {
        throw new DomainError(ErrorCode.ALREADY_REVIEWED, 'Someone else already reviewed this receipt');
      }
      // A review may come after the deadline (a receipt under review never expires): the user gets at least a
      // full receipt window to send another one, instead of a payment that expires at the next sweep.
      const now = new Date();
      const window = Number(await this.configurations.get(botId, 'receipt_ttl_minutes')) * 60_000;
      const expiresAt = new Date(Math.max(current.expiresAt.getTime(), now.getTime() + window));
      const changed = await this.repos.cardPayments.update(
        botId,
        { id: paymentId, status: 'pending' },
        {
          status: 'rejected',
          expiresAt,
          rejectionReason: why,
          reviewedBy: ReviewPolicy.reviewedBy(actor),
          reviewedAt: now,
        },
      );
      if (!changed) throw new DomainError(ErrorCode.ALREADY_REVIEWED, 'Someone else already reviewed this receipt');
      if (current.cardId) await this.rotation.recordOutcome(botId, current.cardId, false);
      await this.audit.record(botId, {
        actor,
        action: 'card_payment.reject',
        targetType: 'card_payment',
        targetId: paymentId,
        before: { status: 'pending' },
        after: { status: 'rejected', reason: why },
      });
      await this.notifier.notify(botId, 'receipt_rejected', { paymentId });
      return (await this.repos.cardPayments.findById(botId, paymentId))!;
    });
  }
}
