import { Injectable } from '@nestjs/common';
import { In, Not } from 'typeorm';
import { DomainError, ErrorCode, Page, pageOf, pageOffset } from '@botfleet/common';
import {
  OrderEntity,
  PlanEntity,
  SubscriptionEntity,
  TenantRepositories,
  TicketEntity,
  TicketMessageEntity,
  TicketStatus,
  UserEntity,
} from '@botfleet/dal';

/** Who wrote in: what the admins see on a ticket's card. */
export interface CustomerCard {
  user: UserEntity;
  subscriptions: (SubscriptionEntity & { plan: PlanEntity | null })[];
  orders: OrderEntity[];
}

/** A ticket in the admins' list of tickets waiting for the shop, with who wrote it. */
export interface InboxTicket {
  ticket: TicketEntity;
  customer: Pick<UserEntity, 'firstName' | 'lastName' | 'username' | 'telegramId'> | null;
}

export interface TicketListQuery {
  status?: TicketStatus;
  page?: number;
  pageSize?: number;
}

/** Reading tickets: lists, one with its messages, the customer's card, and where an admin chat reply belongs. */
@Injectable()
export class SupportQueries {
  constructor(private readonly repos: TenantRepositories) {}

  async list(botId: string, q: TicketListQuery = {}): Promise<Page<TicketEntity>> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    const [items, total] = await this.repos.tickets.findAndCount(botId, {
      where: q.status ? { status: q.status } : {},
      order: { lastMessageAt: 'DESC', number: 'DESC' },
      skip: pageOffset(page, pageSize),
      take: pageSize,
    });
    return pageOf(items, total, page, pageSize);
  }

  /** Open and answered tickets (not closed), newest activity first, each with its customer. */
  async inbox(botId: string, page: number, pageSize: number): Promise<Page<InboxTicket>> {
    const [tickets, total] = await this.repos.tickets.findAndCount(botId, {
      where: { status: In(['open', 'answered']) },
      order: { lastMessageAt: 'DESC', number: 'DESC' },
      skip: pageOffset(page, pageSize),
      take: pageSize,
    });
    const userIds = [...new Set(tickets.map((t) => t.userId))];
    const users = userIds.length ? await this.repos.users.find(botId, { where: { id: In(userIds) } }) : [];
    const byId = new Map(users.map((u) => [u.id, u]));
    return pageOf(
      tickets.map((ticket) => ({ ticket, customer: byId.get(ticket.userId) ?? null })),
      total,
      page,
      pageSize,
    );
  }

  /** The ticket, or NOT_FOUND (an id of another bot is simply not found). */
  async get(botId: string, ticketId: string): Promise<TicketEntity> {
    const t = await this.find(botId, ticketId);
    if (!t) throw new DomainError(ErrorCode.NOT_FOUND, 'Ticket not found');
    return t;
  }

  find(botId: string, ticketId: string): Promise<TicketEntity | null> {
    return this.repos.tickets.findById(botId, ticketId);
  }

  async messages(
    botId: string,
    ticketId: string,
    q: { page?: number; pageSize?: number } = {},
  ): Promise<Page<TicketMessageEntity>> {
    await this.get(botId, ticketId);
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 50;
    const [items, total] = await this.repos.ticketMessages.findAndCount(botId, {
      where: { ticketId },
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: pageOffset(page, pageSize),
      take: pageSize,
    });
    return pageOf(items, total, page, pageSize);
  }

  /** The ticket's last `n` messages, oldest first (what a screen shows). */
  async lastMessages(botId: string, ticketId: string, n: number): Promise<TicketMessageEntity[]> {
    const newest = await this.repos.ticketMessages.find(botId, {
      where: { ticketId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: n,
    });
    return newest.reverse();
  }

  message(botId: string, messageId: string): Promise<TicketMessageEntity | null> {
    return this.repos.ticketMessages.findById(botId, messageId);
  }

  /** The customer's ticket that is not closed (at most one), if any. */
  openTicketOf(botId: string, userId: string): Promise<TicketEntity | null> {
    return this.repos.tickets.findOne(botId, { userId, status: Not('closed') });
  }

  /** The customer's own ticket by id (another customer's is not found). */
  async ticketOfUser(botId: string, userId: string, ticketId: string): Promise<TicketEntity | null> {
    return this.repos.tickets.findOne(botId, { id: ticketId, userId });
  }

  /** The customer's latest tickets, newest activity first. */
  recentTicketsOf(botId: string, userId: string, take = 10): Promise<TicketEntity[]> {
    return this.repos.tickets.find(botId, { where: { userId }, order: { lastMessageAt: 'DESC' }, take });
  }

  /**
   * The ticket an admin chat message belongs to: the card of a ticket, a customer's message posted there, or
   * an admin's earlier reply. Looked up inside this bot only.
   */
  async ticketByAdminPost(botId: string, chatId: number, messageId: number): Promise<TicketEntity | null> {
    const card = await this.repos.tickets.findOne(botId, { adminChatId: chatId, adminMessageId: messageId });
    if (card) return card;
    const msg = await this.repos.ticketMessages.findOne(botId, { adminChatId: chatId, adminMessageId: messageId });
    return msg ? this.find(botId, msg.ticketId) : null;
  }

  /** The customer's card: who they are, their subscriptions (newest first) and their last orders. */
  async customerCard(botId: string, userId: string): Promise<CustomerCard | null> {
    const user = await this.repos.users.findById(botId, userId);
    if (!user) return null;
    const [subs, orders] = await Promise.all([
      this.repos.subscriptions.find(botId, {
        where: { userId, status: In(['active', 'pending', 'expired']) },
        order: { createdAt: 'DESC' },
        take: 5,
      }),
      this.repos.orders.find(botId, { where: { userId }, order: { createdAt: 'DESC' }, take: 3 }),
    ]);
    const planIds = [...new Set(subs.map((s) => s.planId).filter((id): id is string => !!id))];
    const plans = planIds.length ? await this.repos.plans.find(botId, { where: { id: In(planIds) } }) : [];
    const byId = new Map(plans.map((p) => [p.id, p]));
    return {
      user,
      subscriptions: subs.map((s) => ({ ...s, plan: s.planId ? (byId.get(s.planId) ?? null) : null })),
      orders,
    };
  }
}
