import { Injectable } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { AdminAccessService } from '@botfleet/bots';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { TenantDb, TenantRepositories, TicketEntity, TicketMessageEntity } from '@botfleet/dal';
import { SupportNotifier } from '../support-notifier';
import type { TicketContent } from '../support-rules';
import { actorLabel, checkedContent, checkedIdempotencyKey } from '../ticket-content';

export interface ReplyToTicketInput {
  botId: string;
  ticketId: string;
  actor: Actor;
  content: TicketContent;
  /** The admin's own message in the admin chat (a reply there): later replies to it route to this ticket too. */
  adminPost?: { chatId: number; messageId: number };
  /**
   * A client's key for this answer (the API's `Idempotency-Key`, 1-100 characters): the same key again on the
   * same ticket returns the first answer and sends nothing, however long after.
   */
  idempotencyKey?: string;
}

/**
 * An admin (role with the `tickets` permission) or the tenant's API answers a ticket: the ticket is
 * `answered`, the customer gets the answer after the commit (job outbox → worker), and the action is audited.
 * A closed ticket takes no answer (CONFLICT); the platform's own jobs do not answer (FORBIDDEN). An answer's
 * idempotency key is kept on its message, unique per ticket in the database.
 */
@Injectable()
export class ReplyToTicketUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly access: AdminAccessService,
    private readonly audit: AuditService,
    private readonly notifier: SupportNotifier,
  ) {}

  async execute(input: ReplyToTicketInput): Promise<{ ticket: TicketEntity; message: TicketMessageEntity }> {
    const { botId, actor } = input;
    if (actor.type === 'system') throw new DomainError(ErrorCode.FORBIDDEN, 'Tickets are answered by people');
    const content = checkedContent(input.content);
    const key = checkedIdempotencyKey(input.idempotencyKey);
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'tickets');
      const ticket = await this.repos.tickets.findById(botId, input.ticketId, 'pessimistic_write');
      if (!ticket) throw new DomainError(ErrorCode.NOT_FOUND, 'Ticket not found');
      // The ticket's row lock serialises answers to it: a retry waits for the first attempt's commit and finds
      // its message by the key (the unique index on the key is the guarantee behind the lock).
      const first = key
        ? await this.repos.ticketMessages.findOne(botId, { ticketId: ticket.id, idempotencyKey: key })
        : null;
      if (first) return { ticket, message: first };
      if (ticket.status === 'closed') throw new DomainError(ErrorCode.CONFLICT, 'The ticket is closed');
      const message = await this.repos.ticketMessages.insert(botId, {
        ticketId: ticket.id,
        sender: 'admin',
        senderTelegramId: actor.type === 'bot_admin' ? Number(actor.id) : null,
        author: actorLabel(actor),
        text: content.text,
        photoFileId: content.photoFileId,
        adminChatId: input.adminPost?.chatId ?? null,
        adminMessageId: input.adminPost?.messageId ?? null,
        idempotencyKey: key,
      });
      await this.repos.tickets.update(
        botId,
        { id: ticket.id },
        { status: 'answered', lastMessageAt: message.createdAt },
      );
      await this.audit.record(botId, {
        actor,
        action: 'ticket.reply',
        targetType: 'ticket',
        targetId: ticket.id,
        after: { number: ticket.number, messageId: message.id },
      });
      await this.notifier.notify(botId, 'admin_reply', ticket.id, message.id);
      return { ticket: { ...ticket, status: 'answered', lastMessageAt: message.createdAt }, message };
    });
  }
}
