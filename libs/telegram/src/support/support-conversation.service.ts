import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { SupportAdminHandler } from './support-admin.handler';
import { SupportCustomerHandler } from './support-customer.handler';

/**
 * Support tickets in the bot, as the composition mounts them: the customer's side in private chats (before
 * the sale, so a draft is not taken for a receipt), the admins' replies and Close button in any chat. The
 * handlers call libs/support's use cases, the ones the REST API calls too.
 */
@Injectable()
export class SupportConversation {
  readonly privateChat: Routes;
  readonly adminChat: Routes;

  constructor(customer: SupportCustomerHandler, admin: SupportAdminHandler) {
    this.privateChat = customer.composer;
    this.adminChat = admin.composer;
  }
}
