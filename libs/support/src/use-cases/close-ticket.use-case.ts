import { Injectable } from '@nestjs/common';
import { Not } from 'typeorm';
import { AuditService } from '@botfleet/audit';
import { AdminAccessService } from '@botfleet/bots';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { TenantDb, TenantRepositories, TicketEntity } from '@botfleet/dal';
import { SupportNotifier } from '../support-notifier';
import { actorLabel, customerLabel } from '../ticket-content';

export type TicketCloser = { kind: 'customer'; userId: string } | { kind: 'admin'; actor: Actor };

/**
 * Closes a ticket, by its customer or by an admin / the tenant's API (audited). One conditional update:
 * of two closes at once one wins, the other is told CONFLICT; another customer's ticket is NOT_FOUND.
 * The other side is told after the commit.
 */
@Injectable()
export class CloseTicketUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly access: AdminAccessService,
    private readonly audit: AuditService,
    private readonly notifier: SupportNotifier,
  ) {}

  async execute(input: { botId: string; ticketId: string; by: TicketCloser; now?: Date }): Promise<TicketEntity> {
    const { botId, ticketId, by } = input;
    const now = input.now ?? new Date();
    if (by.kind === 'admin' && by.actor.type === 'system') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Tickets are closed by people');
    }
    return this.db.run(botId, async () => {
      if (by.kind === 'admin') await this.access.authorize(botId, by.actor, 'tickets');
      const ticket = await this.repos.tickets.findOne(
        botId,
        by.kind === 'customer' ? { id: ticketId, userId: by.userId } : { id: ticketId },
      );
      if (!ticket) throw new DomainError(ErrorCode.NOT_FOUND, 'Ticket not found');
      const closedBy = by.kind === 'customer' ? customerLabel(by.userId) : actorLabel(by.actor);
      const changed = await this.repos.tickets.update(
        botId,
        { id: ticket.id, status: Not('closed') },
        { status: 'closed', closedBy, closedAt: now },
      );
      if (!changed) throw new DomainError(ErrorCode.CONFLICT, 'The ticket is already closed');
      if (by.kind === 'admin') {
        await this.audit.record(botId, {
          actor: by.actor,
          action: 'ticket.close',
          targetType: 'ticket',
          targetId: ticket.id,
          before: { status: ticket.status },
          after: { status: 'closed' },
        });
      }
      await this.notifier.notify(botId, 'ticket_closed', ticket.id);
      return (await this.repos.tickets.findById(botId, ticket.id))!;
    });
  }
}
