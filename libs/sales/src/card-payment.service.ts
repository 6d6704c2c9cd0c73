import { Injectable } from '@nestjs/common';
import { TenantDb, TenantRepositories } from '@botfleet/dal';

export interface ReviewMessage {
  paymentId: string;
  /** The payment's user, for the `sent_notifications` row. */
  userId: string;
  chatId: number;
  messageId: number;
  /** One review message per submitted receipt: the key its `sent_notifications` row is unique by. */
  dedupeKey: string;
}

/**
 * Plain bookkeeping of card payments' review messages. The steps of a card payment are use cases
 * (start, submit a receipt, approve, reject, expire) in ./use-cases.
 */
@Injectable()
export class CardPaymentService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
  ) {}

  /** Whether the review message with this key has been sent. */
  async reviewMessageSent(botId: string, dedupeKey: string): Promise<boolean> {
    return (await this.repos.sentNotifications.count(botId, { dedupeKey })) > 0;
  }

  /** Remembers where the review message went (so it can be edited when someone decides) and that it went. */
  async recordReviewMessage(botId: string, m: ReviewMessage): Promise<void> {
    await this.db.run(botId, async () => {
      await this.repos.cardPayments.update(
        botId,
        { id: m.paymentId },
        { reviewChatId: m.chatId, reviewMessageId: m.messageId },
      );
      await this.repos.sentNotifications.insert(botId, {
        userId: m.userId,
        kind: 'card_review',
        dedupeKey: m.dedupeKey,
      });
    });
  }
}
