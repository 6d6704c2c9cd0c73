import { Injectable } from '@nestjs/common';
import { In, MoreThan, Not } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { CardPaymentEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { SaleNotifier } from '../sale-events';
import { Receipt, RECEIPT_ACCEPTING_STATUSES, RECEIPT_TEXT_MAX } from '../sale-rules';
import { SalesQueries } from '../sales-queries.service';

export interface SubmitReceiptInput {
  botId: string;
  userId: string;
  receipt: Receipt;
  /**
   * The payment the receipt is for, by the tracking number of the card screen the user answered (a reply to
   * it). Without it, the user's one payment that takes a receipt; several → CONFLICT (never a guess).
   */
  trackingNumber?: string;
  now?: Date;
}

/**
 * The user's receipt for the card payment they are paying (the card screen they answered, or their only
 * payment that takes a receipt): the payment goes to review and the
 * admins are asked (through the job outbox). A photo already used on another receipt of this bot is
 * flagged for the reviewer.
 */
@Injectable()
export class SubmitReceiptUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly queries: SalesQueries,
    private readonly notifier: SaleNotifier,
  ) {}

  async execute({
    botId,
    userId,
    receipt,
    trackingNumber,
    now = new Date(),
  }: SubmitReceiptInput): Promise<CardPaymentEntity> {
    if (receipt.kind === 'text') {
      const text = receipt.text.trim();
      if (!text) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The receipt is empty');
      if (text.length > RECEIPT_TEXT_MAX) {
        throw new DomainError(
          ErrorCode.VALIDATION_FAILED,
          `The receipt text is longer than ${RECEIPT_TEXT_MAX} characters`,
        );
      }
      if (await this.queries.receiptRequiresPhoto(botId)) {
        throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Please send a photo of the receipt');
      }
    }
    return this.db.run(botId, async () => {
      // Only the user's own payments: a tracking number of someone else's payment finds nothing.
      const open = await this.repos.cardPayments.find(botId, {
        where: {
          userId,
          status: In([...RECEIPT_ACCEPTING_STATUSES]),
          expiresAt: MoreThan(now),
          ...(trackingNumber ? { trackingNumber } : {}),
        },
        order: { createdAt: 'DESC' },
        take: 2,
        lock: 'pessimistic_write',
      });
      if (!open.length) throw new DomainError(ErrorCode.NOT_FOUND, 'No card payment is waiting for a receipt');
      if (open.length > 1) {
        throw new DomainError(ErrorCode.CONFLICT, 'Several payments wait for a receipt; say which one it is for');
      }
      const [payment] = open;
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
          // The review's clock: reminders count from here (a receipt under review never expires).
          receiptSubmittedAt: now,
          reviewRemindersSent: 0,
        },
      );
      if (!changed) throw new DomainError(ErrorCode.CONFLICT, 'The payment changed meanwhile; try again');
      await this.notifier.notify(botId, 'receipt_submitted', { paymentId: payment.id });
      return (await this.repos.cardPayments.findById(botId, payment.id))!;
    });
  }
}
