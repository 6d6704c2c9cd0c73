import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { TenantDb, TenantRepositories, TicketEntity, TicketMessageEntity } from '@botfleet/dal';
import { SupportNotifier } from '../support-notifier';
import { SupportQueries } from '../support-queries.service';
import { SupportRateLimiter } from '../support-rate-limiter';
import type { TicketContent } from '../support-rules';
import { SupportSettings } from '../support-settings.service';
import { checkedContent } from '../ticket-content';

export interface AddCustomerMessageInput {
  botId: string;
  userId: string;
  /** The customer's ticket the message is for; without it, their ticket that is not closed. */
  ticketId?: string;
  content: TicketContent;
  /** The rate limits' clock (tests). */
  now?: Date;
}

/**
 * A customer's follow-up joins their ticket (open again: it waits for the admins). A closed ticket, or
 * another customer's, takes nothing (CONFLICT / NOT_FOUND). Counts against the message limit.
 */
@Injectable()
export class AddCustomerMessageUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly queries: SupportQueries,
    private readonly settings: SupportSettings,
    private readonly limiter: SupportRateLimiter,
    private readonly notifier: SupportNotifier,
  ) {}

  async execute(input: AddCustomerMessageInput): Promise<{ ticket: TicketEntity; message: TicketMessageEntity }> {
    const { botId, userId } = input;
    const content = checkedContent(input.content);
    const limits = await this.settings.requireEnabled(botId);
    const found = input.ticketId
      ? await this.queries.ticketOfUser(botId, userId, input.ticketId)
      : await this.queries.openTicketOf(botId, userId);
    if (!found) throw new DomainError(ErrorCode.NOT_FOUND, 'No open ticket');
    if (found.status === 'closed') throw closed();
    await this.limiter.consume(botId, userId, 'message', limits, input.now?.getTime());
    return this.db.run(botId, async () => {
      const ticket = await this.repos.tickets.findById(botId, found.id, 'pessimistic_write');
      if (!ticket || ticket.status === 'closed') throw closed();
      const message = await this.repos.ticketMessages.insert(botId, {
        ticketId: ticket.id,
        sender: 'user',
        senderTelegramId: null,
        text: content.text,
        photoFileId: content.photoFileId,
      });
      await this.repos.tickets.update(botId, { id: ticket.id }, { status: 'open', lastMessageAt: message.createdAt });
      await this.notifier.notify(botId, 'customer_message', ticket.id, message.id);
      return { ticket: { ...ticket, status: 'open', lastMessageAt: message.createdAt }, message };
    });
  }
}

const closed = () => new DomainError(ErrorCode.CONFLICT, 'The ticket is closed');
