import { Injectable } from '@nestjs/common';
import { assertUnreachable, DomainError, ErrorCode } from '@botfleet/common';
import { TenantDb, TenantRepositories } from '@botfleet/dal';
import type { Reviewer } from './card-payment.service';

const TELEGRAM_ID = /^[1-9]\d{0,18}$/;

/**
 * Who may approve or reject a card-payment receipt (PRODUCT.md C8). In Telegram only the bot's
 * admins (`bot_admins`) may; a REST caller is already authorised by its token (the tenant's own
 * or the master token), so `tenant_api` and `master` reviewers pass. Kept here, in the domain,
 * so the rule holds whichever outlet calls the use case.
 */
@Injectable()
export class ReviewPolicy {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
  ) {}

  /** Whether this Telegram user is an admin of the bot. For early answers; the use case checks again. */
  async isReviewer(botId: string, telegramId: number | string): Promise<boolean> {
    const id = ReviewPolicy.parseTelegramId(telegramId);
    if (id === null) return false;
    return (await this.repos.admins.count(botId, { telegramId: id })) > 0;
  }

  /**
   * Throws FORBIDDEN unless the reviewer may review this bot's receipts. Call it inside the
   * review's transaction before changing anything. The admin row is read without a lock: a lock
   * here would be taken before the order's and the bot's, in the opposite order to a change of the
   * admin list (bot row, then admin rows), and the two could deadlock; an admin removed while
   * their approval is in flight is a race the tenant cannot tell from "approved just before".
   */
  async assertReviewer(botId: string, reviewer: Reviewer): Promise<void> {
    switch (reviewer.actorType) {
      case 'tenant_api':
      case 'master':
        return;
      case 'bot_admin': {
        const id = ReviewPolicy.parseTelegramId(reviewer.actorId);
        const admin =
          id === null
            ? []
            : await this.db.run(botId, () => this.repos.admins.find(botId, { where: { telegramId: id }, take: 1 }));
        if (!admin.length) throw new DomainError(ErrorCode.FORBIDDEN, 'Only the bot admins may review receipts');
        return;
      }
      default:
        return assertUnreachable(reviewer.actorType);
    }
  }

  private static parseTelegramId(value: number | string): number | null {
    const text = String(value);
    if (!TELEGRAM_ID.test(text)) return null;
    const id = Number(text);
    return Number.isSafeInteger(id) ? id : null;
  }
}
