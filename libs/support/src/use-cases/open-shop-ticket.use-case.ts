import { Injectable } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { AdminAccessService } from '@botfleet/bots';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { TenantDb, TenantRepositories, TicketEntity, TicketMessageEntity, TicketRepository } from '@botfleet/dal';
import { SupportNotifier } from '../support-notifier';
import { SupportQueries } from '../support-queries.service';
import { SupportSettings } from '../support-settings.service';
import { actorLabel, checkedContent, checkedIdempotencyKey, checkedSubject } from '../ticket-content';

export interface OpenShopTicketInput {
  botId: string;
  /** The customer (users.id); one of another bot is not found. */
  userId: string;
  actor: Actor;
  subject: string;
  text: string;
  /**
   * A client's key for this opening (the API's `Idempotency-Key`, 1-100 characters), unique per bot in the
   * database: the same key again returns the first ticket and sends nothing, however long after.
   */
  idempotencyKey?: string;
}

/**
 * The shop (an admin with the `tickets` permission, or the tenant's API) opens a ticket to a customer of the bot:
 * it gets the bot's next number, the first message is the shop's, the ticket is `answered` (waiting for the
 * customer), the customer gets the message in the bot after the commit (the same notice as an answer: job
 * outbox → worker) and the action is audited. Support tickets must be on for the bot (the customer answers in
 * it). A customer with a ticket that is not closed gets no second one: CONFLICT with `details.ticketNumber`
 * (answer that one instead).
 */
@Injectable()
export class OpenShopTicketUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly tickets: TicketRepository,
    private readonly queries: SupportQueries,
    private readonly access: AdminAccessService,
    private readonly settings: SupportSettings,
    private readonly audit: AuditService,
    private readonly notifier: SupportNotifier,
  ) {}

  async execute(
    input: OpenShopTicketInput,
  ): Promise<{ ticket: TicketEntity; message: TicketMessageEntity; replayed: boolean }> {
    const { botId, actor, userId } = input;
    if (actor.type === 'system') throw new DomainError(ErrorCode.FORBIDDEN, 'Tickets are opened by people');
    const subject = checkedSubject(input.subject);
    const content = checkedContent({ text: input.text });
    const key = checkedIdempotencyKey(input.idempotencyKey);
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'tickets');
      await this.settings.requireEnabled(botId);
      const user = await this.repos.users.findById(botId, userId);
      if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'Customer not found');
      const opened = key
        ? await this.tickets.insertNumberedKeyed(botId, { userId, subject, idempotencyKey: key })
        : await this.insertUnkeyed(botId, userId, subject);
      if (!opened) {
        const open = await this.queries.openTicketOf(botId, userId);
        throw new DomainError(
          ErrorCode.CONFLICT,
          'This customer already has an open ticket',
          open ? { ticketNumber: open.number, ticketId: open.id } : undefined,
        );
      }
      if (opened.replayed) return this.replay(botId, opened.id, userId);
      const message = await this.repos.ticketMessages.insert(botId, {
        ticketId: opened.id,
        sender: 'admin',
        senderTelegramId: actor.type === 'bot_admin' ? Number(actor.id) : null,
        author: actorLabel(actor),
        text: content.text,
        photoFileId: null,
      });
      await this.repos.tickets.update(
        botId,
        { id: opened.id },
        // opened_by 'shop': the customer's notice says support wrote to them (not that it answered).
        { status: 'answered', openedBy: 'shop', lastMessageAt: message.createdAt },
      );
      const ticket = (await this.repos.tickets.findById(botId, opened.id))!;
      await this.audit.record(botId, {
        actor,
        action: 'ticket.open',
        targetType: 'ticket',
        targetId: ticket.id,
        after: { number: ticket.number, userId, messageId: message.id },
      });
      await this.notifier.notify(botId, 'admin_reply', ticket.id, message.id);
      return { ticket, message, replayed: false };
    });
  }

  private async insertUnkeyed(botId: string, userId: string, subject: string) {
    const id = await this.tickets.insertNumbered(botId, { userId, subject });
    return id === null ? null : { id, replayed: false };
  }

  /** The first ticket of a replayed key and its first message; the key used for another customer is a CONFLICT. */
  private async replay(
    botId: string,
    ticketId: string,
    userId: string,
  ): Promise<{ ticket: TicketEntity; message: TicketMessageEntity; replayed: boolean }> {
    const ticket = (await this.repos.tickets.findById(botId, ticketId))!;
    if (ticket.userId !== userId) {
      throw new DomainError(ErrorCode.CONFLICT, 'This Idempotency-Key opened a ticket to another customer', {
        ticketNumber: ticket.number,
      });
    }
    const [message] = await this.repos.ticketMessages.find(botId, {
      where: { ticketId },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: 1,
    });
    return { ticket, message, replayed: true };
  }
}
