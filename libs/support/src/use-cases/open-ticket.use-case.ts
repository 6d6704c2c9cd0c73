import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { TenantDb, TenantRepositories, TicketEntity, TicketMessageEntity, TicketRepository } from '@botfleet/dal';
import { SupportNotifier } from '../support-notifier';
import { SupportQueries } from '../support-queries.service';
import { SupportRateLimiter } from '../support-rate-limiter';
import type { TicketContent } from '../support-rules';
import { SupportSettings } from '../support-settings.service';
import { checkedContent, checkedSubject } from '../ticket-content';

export interface OpenTicketInput {
  botId: string;
  userId: string;
  subject: string;
  content: TicketContent;
  /** The rate limits' clock (tests). */
  now?: Date;
}

/**
 * A customer opens a ticket: subject and first message (text, or a photo with a caption). It gets the bot's
 * next number and the admins are told (job outbox). A customer has one ticket that is not closed at a time:
 * another one is refused with CONFLICT (`details.ticketNumber`), so their messages go to that one instead.
 * Counts against the customer's limits (a ticket per day, a message per minute): over → RATE_LIMITED.
 */
@Injectable()
export class OpenTicketUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly tickets: TicketRepository,
    private readonly queries: SupportQueries,
    private readonly settings: SupportSettings,
    private readonly limiter: SupportRateLimiter,
    private readonly notifier: SupportNotifier,
  ) {}

  async execute(input: OpenTicketInput): Promise<{ ticket: TicketEntity; message: TicketMessageEntity }> {
    const { botId, userId } = input;
    const subject = checkedSubject(input.subject);
    const content = checkedContent(input.content);
    const limits = await this.settings.requireEnabled(botId);
    const open = await this.queries.openTicketOf(botId, userId);
    if (open) throw alreadyOpen(open.number);
    await this.limiter.consume(botId, userId, 'ticket', limits, input.now?.getTime());
    await this.limiter.consume(botId, userId, 'message', limits, input.now?.getTime());
    return this.db.run(botId, async () => {
      const ticketId = await this.tickets.insertNumbered(botId, { userId, subject });
      // Opened at the same moment by another update of theirs.
      if (!ticketId) throw alreadyOpen((await this.queries.openTicketOf(botId, userId))?.number);
      const message = await this.repos.ticketMessages.insert(botId, {
        ticketId,
        sender: 'user',
        senderTelegramId: null,
        text: content.text,
        photoFileId: content.photoFileId,
      });
      await this.notifier.notify(botId, 'ticket_opened', ticketId, message.id);
      return { ticket: (await this.repos.tickets.findById(botId, ticketId))!, message };
    });
  }
}

function alreadyOpen(number?: number): DomainError {
  return new DomainError(
    ErrorCode.CONFLICT,
    'This customer already has an open ticket',
    number ? { ticketNumber: number } : undefined,
  );
}
