import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { AuditService } from '@botfleet/audit';
import { AdminAccessService } from '@botfleet/bots';
import { Actor, DomainError, ErrorCode, REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { TenantDb, TenantRepositories, TicketEntity, TicketMessageEntity } from '@botfleet/dal';
import { SupportNotifier } from '../support-notifier';
import type { TicketContent } from '../support-rules';
import { actorLabel, checkedContent } from '../ticket-content';

export interface ReplyToTicketInput {
  botId: string;
  ticketId: string;
  actor: Actor;
  content: TicketContent;
  /** The admin's own message in the admin chat (a reply there): later replies to it route to this ticket too. */
  adminPost?: { chatId: number; messageId: number };
  /** A client's key for this answer (the API's `Idempotency-Key`): the same key again returns the first answer. */
  idempotencyKey?: string;
}

/** How long an answer's idempotency key is remembered. */
const REPLY_KEY_TTL_S = 86_400;

/**
 * An admin (role with the `tickets` permission) or the tenant's API answers a ticket: the ticket is
 * `answered`, the customer gets the answer after the commit (job outbox → worker), and the action is audited.
 * A closed ticket takes no answer (CONFLICT); the platform's own jobs do not answer (FORBIDDEN).
 */
@Injectable()
export class ReplyToTicketUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly access: AdminAccessService,
    private readonly audit: AuditService,
    private readonly notifier: SupportNotifier,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  async execute(input: ReplyToTicketInput): Promise<{ ticket: TicketEntity; message: TicketMessageEntity }> {
    const { botId, actor } = input;
    if (actor.type === 'system') throw new DomainError(ErrorCode.FORBIDDEN, 'Tickets are answered by people');
    const content = checkedContent(input.content);
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'tickets');
      const ticket = await this.repos.tickets.findById(botId, input.ticketId, 'pessimistic_write');
      if (!ticket) throw new DomainError(ErrorCode.NOT_FOUND, 'Ticket not found');
      // The ticket's row lock serialises answers to it, and the key is written before the commit: a retry waits
      // for the first attempt and finds its message (a key left by a rolled-back attempt points at no message).
      const replyKey = input.idempotencyKey
        ? `${this.config.REDIS_PREFIX}:support:reply:${botId}:${ticket.id}:${input.idempotencyKey}`
        : null;
      const firstId = replyKey ? await this.redis.get(replyKey) : null;
      const first = firstId
        ? await this.repos.ticketMessages.findOne(botId, { id: firstId, ticketId: ticket.id })
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
      if (replyKey) await this.redis.set(replyKey, message.id, 'EX', REPLY_KEY_TTL_S);
      return { ticket: { ...ticket, status: 'answered', lastMessageAt: message.createdAt }, message };
    });
  }
}
