import { Injectable } from '@nestjs/common';
import { AdminAccessService } from '@botfleet/bots';
import { Actor, assertUnreachable, DomainError, ErrorCode } from '@botfleet/common';

/**
 * Who may approve or reject a card-payment receipt (PRODUCT.md C8). In Telegram only the bot's
 * admins (`bot_admins`) whose role grants `receipts` may (owner, admin — not support); a REST caller is already authorised by its token (the tenant's own
 * or the master token), so `tenant_api` and `master` reviewers pass; the platform itself (`system`)
 * never reviews. Kept here, in the domain, so the rule holds whichever outlet calls the use case.
 */
@Injectable()
export class ReviewPolicy {
  constructor(private readonly access: AdminAccessService) {}

  /** Whether this Telegram user may review the bot's receipts. For early answers; the use case checks again. */
  async isReviewer(botId: string, telegramId: number | string): Promise<boolean> {
    return this.access.may(botId, telegramId, 'receipts');
  }

  /**
   * Throws FORBIDDEN unless the reviewer may review this bot's receipts. Call it inside the
   * review's transaction before changing anything. The admin row is read without a lock: a lock
   * here would be taken before the order's and the bot's, in the opposite order to a change of the
   * admin list (bot row, then admin rows), and the two could deadlock; an admin removed while
   * their approval is in flight is a race the tenant cannot tell from "approved just before".
   */
  async assertReviewer(botId: string, actor: Actor): Promise<void> {
    switch (actor.type) {
      case 'tenant_api':
      case 'master':
        return;
      case 'system':
        throw new DomainError(ErrorCode.FORBIDDEN, 'Receipts are reviewed by people');
      case 'bot_admin':
        await this.access.require(botId, actor.id, 'receipts');
        return;
      default:
        return assertUnreachable(actor.type);
    }
  }

  /** How a review's author is stored on the payment (`reviewed_by`): `<actor type>:<actor id>`. */
  static reviewedBy(actor: Actor): string {
    return `${actor.type}:${actor.id}`;
  }
}
