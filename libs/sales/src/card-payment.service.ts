import { Injectable } from '@nestjs/common';
import { In, LessThanOrEqual, MoreThan, Not } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { AuditService } from '@botfleet/audit';
import { OrdersService, TenantWalletService } from '@botfleet/billing';
import { CardRotationService, ConfigurationsService, FeaturesService } from '@botfleet/catalog';
import { CardPaymentEntity, PaymentCardEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { FulfilmentService } from './fulfilment.service';
import { ReviewPolicy } from './review-policy';
import { SaleNotifier } from './sale-events';
import { cardTrackingNumber } from './tracking-number';

export type Reviewer = { actorType: 'tenant_api' | 'master' | 'bot_admin'; actorId: string };

export type Receipt = { kind: 'photo'; fileId: string; fileUniqueId: string } | { kind: 'text'; text: string };

export const RECEIPT_TEXT_MAX = 1000;
export const REJECTION_REASON_MAX = 500;
const OPEN_STATUSES: CardPaymentEntity['status'][] = ['awaiting_receipt', 'pending', 'rejected'];

export interface StartedCardPayment {
  payment: CardPaymentEntity;
  card: PaymentCardEntity;
  created: boolean;
}

/**
 * Card-to-card (PRODUCT.md C8): a card from the rotation, a tracking number and a deadline;
 * the user's receipt; the admins' review. Approving by REST and by bot button is this one
 * use case. Every move is a conditional update, so two admins (or a hundred requests) give
 * one approval and the losers get ALREADY_REVIEWED with nothing changed.
 */
@Injectable()
export class CardPaymentService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly orders: OrdersService,
    private readonly wallet: TenantWalletService,
    private readonly rotation: CardRotationService,
    private readonly configurations: ConfigurationsService,
    private readonly features: FeaturesService,
    private readonly fulfilment: FulfilmentService,
    private readonly audit: AuditService,
    private readonly notifier: SaleNotifier,
    private readonly reviewPolicy: ReviewPolicy,
  ) {}

  /** Shows the order's card payment, creating it on first call (idempotent per order). */
  async start(botId: string, orderId: string, now = new Date()): Promise<StartedCardPayment> {
    if (!(await this.features.isEnabled(botId, 'card_to_card'))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'Card-to-card payments are off for this bot');
    }
    return this.db.run(botId, async ({ manager }) => {
      const order = await this.repos.orders.findById(botId, orderId, 'pessimistic_write');
      if (!order) throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
      if (order.status !== 'pending') throw new DomainError(ErrorCode.ALREADY_PAID, `The order is ${order.status}`);
      const existing = await this.repos.cardPayments.findOne(botId, { orderId, status: In(OPEN_STATUSES) });
      if (existing) {
        const card = existing.cardId ? await this.repos.paymentCards.findById(botId, existing.cardId) : null;
        if (card) return { payment: existing, card, created: false };
      }
      const picked = await this.rotation.pickCard(botId, order.amountMinor, { now });
      const card = (await this.repos.paymentCards.findById(botId, picked.card.id))!;
      const ttl = await this.configurations.get(botId, 'receipt_ttl_minutes');
      const expiresAt = new Date(now.getTime() + Number(ttl) * 60_000);
      let id: string | undefined;
      for (let attempt = 0; !id && attempt < 5; attempt++) {
        const rows: { id: string }[] = await manager.query(
          `INSERT INTO card_to_card_payments (bot_id, user_id, order_id, card_id, amount_minor, tracking_number, expires_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (bot_id, tracking_number) DO NOTHING RETURNING id`,
          [botId, order.userId, order.id, card.id, order.amountMinor, cardTrackingNumber(now), expiresAt],
        );
        id = rows[0]?.id;
      }
      if (!id) throw new Error('Could not allocate a tracking number');
      await this.repos.orders.update(botId, { id: order.id }, { paymentMethod: 'card_to_card' });
      return { payment: (await this.repos.cardPayments.findById(botId, id))!, card, created: true };
    });
  }

  /** The user's receipt for their open payment; a photo used on another receipt of this bot is flagged. */
  async submitReceipt(botId: string, userId: string, receipt: Receipt, now = new Date()): Promise<CardPaymentEntity> {
    if (receipt.kind === 'text') {
      const text = receipt.text.trim();
      if (!text) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The receipt is empty');
      if (text.length > RECEIPT_TEXT_MAX) {
        throw new DomainError(
          ErrorCode.VALIDATION_FAILED,
          `The receipt text is longer than ${RECEIPT_TEXT_MAX} characters`,
        );
      }
      if (await this.configurations.get(botId, 'receipt_requires_photo')) {
        throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Please send a photo of the receipt');
      }
    }
    return this.db.run(botId, async () => {
      const [payment] = await this.repos.cardPayments.find(botId, {
        where: { userId, status: In(['awaiting_receipt', 'rejected']), expiresAt: MoreThan(now) },
        order: { createdAt: 'DESC' },
        take: 1,
        lock: 'pessimistic_write',
      });
      if (!payment) throw new DomainError(ErrorCode.NOT_FOUND, 'No card payment is waiting for a receipt');
      const flagged =
        receipt.kind === 'photo' &&
        (await this.repos.cardPayments.count(botId, {
          receiptFileUniqueId: receipt.fileUniqueId,
          id: Not(payment.id),
        })) > 0;
      const changed = await this.repos.cardPayments.update(
        botId,
        { id: payment.id, status: payment.status },
        {
          status: 'pending',
          receiptType: receipt.kind,
          receiptText: receipt.kind === 'text' ? receipt.text.trim() : null,
          receiptFileId: receipt.kind === 'photo' ? receipt.fileId : null,
          receiptFileUniqueId: receipt.kind === 'photo' ? receipt.fileUniqueId : null,
          isFlagged: flagged,
          rejectionReason: null,
        },
      );
      if (!changed) throw new DomainError(ErrorCode.CONFLICT, 'The payment changed meanwhile; try again');
      await this.notifier.notify(botId, 'receipt_submitted', { paymentId: payment.id });
      return (await this.repos.cardPayments.findById(botId, payment.id))!;
    });
  }

  /** Remembers where the review message went, so it can be edited when someone decides. */
  async recordReviewMessage(botId: string, paymentId: string, chatId: number, messageId: number): Promise<void> {
    await this.repos.cardPayments.update(
      botId,
      { id: paymentId },
      { reviewChatId: chatId, reviewMessageId: messageId },
    );
  }

  /**
   * Approve: payment pending → approved, order pending → paid → fulfilling with its subscription,
   * the wholesale hold captured, the card's success counted — one transaction. The provisioning
   * job is queued after commit (a sweeper re-queues fulfilling orders if the process dies between).
   * A `bot_admin` reviewer who is not an admin of this bot gets FORBIDDEN and nothing changes.
   */
  async approve(botId: string, paymentId: string, reviewer: Reviewer): Promise<CardPaymentEntity> {
    const payment = await this.db.run(botId, async () => {
      await this.reviewPolicy.assertReviewer(botId, reviewer);
      const current = await this.repos.cardPayments.findById(botId, paymentId);
      if (!current) throw new DomainError(ErrorCode.NOT_FOUND, 'Card payment not found');
      if (current.status === 'awaiting_receipt') {
        throw new DomainError(ErrorCode.CONFLICT, 'No receipt has been submitted for this payment yet');
      }
      const now = new Date();
      const changed = await this.repos.cardPayments.update(
        botId,
        { id: paymentId, status: 'pending' },
        { status: 'approved', reviewedBy: `${reviewer.actorType}:${reviewer.actorId}`, reviewedAt: now },
      );
      if (!changed) throw new DomainError(ErrorCode.ALREADY_REVIEWED, 'Someone else already reviewed this receipt');
      await this.orders.transitionOrThrow(
        botId,
        current.orderId,
        'pending',
        'paid',
        { paidAt: now },
        ErrorCode.ALREADY_PAID,
      );
      const order = (await this.repos.orders.findById(botId, current.orderId))!;
      await this.wallet.capture(botId, order.id, order.trafficBytes);
      await this.fulfilment.begin(botId, order);
      if (current.cardId) await this.rotation.recordOutcome(botId, current.cardId, true);
      await this.audit.record(botId, {
        ...reviewer,
        action: 'card_payment.approve',
        targetType: 'card_payment',
        targetId: paymentId,
        before: { status: 'pending' },
        after: { status: 'approved', orderId: order.id },
      });
      // Both through the job outbox: queued after the commit, and relayed if the process dies before that.
      await this.fulfilment.enqueue(botId, order.id);
      await this.notifier.notify(botId, 'receipt_approved', { paymentId });
      return (await this.repos.cardPayments.findById(botId, paymentId))!;
    });
    return payment;
  }

  /**
   * Reject with a reason: the user is told and may send another receipt until the payment expires.
   * Same reviewer rule as approve.
   */
  async reject(botId: string, paymentId: string, reviewer: Reviewer, reason: string): Promise<CardPaymentEntity> {
    const why = reason.trim();
    if (!why || why.length > REJECTION_REASON_MAX) {
      throw new DomainError(
        ErrorCode.VALIDATION_FAILED,
        `A reason of 1 to ${REJECTION_REASON_MAX} characters is required`,
        [{ field: 'reason', errors: [`must be 1 to ${REJECTION_REASON_MAX} characters`] }],
      );
    }
    const rejected = await this.db.run(botId, async () => {
      await this.reviewPolicy.assertReviewer(botId, reviewer);
      const current = await this.repos.cardPayments.findById(botId, paymentId);
      if (!current) throw new DomainError(ErrorCode.NOT_FOUND, 'Card payment not found');
      const changed = await this.repos.cardPayments.update(
        botId,
        { id: paymentId, status: 'pending' },
        {
          status: 'rejected',
          rejectionReason: why,
          reviewedBy: `${reviewer.actorType}:${reviewer.actorId}`,
          reviewedAt: new Date(),
        },
      );
      if (!changed) {
        if (current.status === 'awaiting_receipt')
          throw new DomainError(ErrorCode.CONFLICT, 'No receipt has been submitted yet');
        throw new DomainError(ErrorCode.ALREADY_REVIEWED, 'Someone else already reviewed this receipt');
      }
      if (current.cardId) await this.rotation.recordOutcome(botId, current.cardId, false);
      await this.audit.record(botId, {
        ...reviewer,
        action: 'card_payment.reject',
        targetType: 'card_payment',
        targetId: paymentId,
        before: { status: 'pending' },
        after: { status: 'rejected', reason: why },
      });
      await this.notifier.notify(botId, 'receipt_rejected', { paymentId });
      return (await this.repos.cardPayments.findById(botId, paymentId))!;
    });
    return rejected;
  }

  /** Payments past their deadline: payment and order expire, the wholesale hold is released. Returns them. */
  async expireDue(botId: string, now = new Date()): Promise<CardPaymentEntity[]> {
    const due = await this.repos.cardPayments.find(botId, {
      where: { status: In(OPEN_STATUSES), expiresAt: LessThanOrEqual(now) },
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
        await this.orders.transition(botId, p.orderId, 'pending', 'expired');
        await this.wallet.release(botId, p.orderId);
        // The money never arrived on that card: stop counting it against the card's daily limit.
        if (p.cardId) await this.rotation.releaseAmount(botId, p.cardId, p.amountMinor, p.createdAt);
        await this.notifier.notify(botId, 'payment_expired', { paymentId: p.id });
        return true;
      });
      if (done) expired.push(p);
    }
    return expired;
  }
}
