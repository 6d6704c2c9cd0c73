import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { TenantRepositories } from '@botfleet/dal';

/**
 * Remembers which admin chat message shows what, so an admin's Telegram reply to it is routed to its ticket:
 * the customer's card (on the ticket) and each customer message posted there. Written by the worker after
 * Telegram took the post; a post is recorded once (a retried job finds it recorded and posts nothing again).
 */
@Injectable()
export class TicketPosts {
  constructor(private readonly repos: TenantRepositories) {}

  async recordCard(botId: string, ticketId: string, chatId: number, messageId: number): Promise<void> {
    await this.repos.tickets.update(
      botId,
      { id: ticketId, adminMessageId: IsNull() },
      { adminChatId: chatId, adminMessageId: messageId },
    );
  }

  async recordMessage(botId: string, ticketMessageId: string, chatId: number, messageId: number): Promise<void> {
    await this.repos.ticketMessages.update(
      botId,
      { id: ticketMessageId, adminMessageId: IsNull() },
      { adminChatId: chatId, adminMessageId: messageId },
    );
  }
}
