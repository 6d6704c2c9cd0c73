import { Module } from '@nestjs/common';
import { AuditModule } from '@botfleet/audit';
import { BotAdminsModule } from '@botfleet/bots';
import { CatalogModule } from '@botfleet/catalog';
import { SupportNotifier } from './support-notifier';
import { SupportQueries } from './support-queries.service';
import { SupportRateLimiter } from './support-rate-limiter';
import { SupportSettings } from './support-settings.service';
import { TicketPosts } from './ticket-posts.service';
import { AddCustomerMessageUseCase } from './use-cases/add-customer-message.use-case';
import { CloseTicketUseCase } from './use-cases/close-ticket.use-case';
import { OpenShopTicketUseCase } from './use-cases/open-shop-ticket.use-case';
import { OpenTicketUseCase } from './use-cases/open-ticket.use-case';
import { ReplyToTicketUseCase } from './use-cases/reply-to-ticket.use-case';

const SUPPORT_PROVIDERS = [
  SupportQueries,
  SupportNotifier,
  SupportRateLimiter,
  SupportSettings,
  TicketPosts,
  OpenTicketUseCase,
  OpenShopTicketUseCase,
  AddCustomerMessageUseCase,
  ReplyToTicketUseCase,
  CloseTicketUseCase,
];

/** Support tickets: customers write from the bot, admins answer in the admin chat or over REST. */
@Module({
  imports: [AuditModule, BotAdminsModule, CatalogModule],
  providers: SUPPORT_PROVIDERS,
  exports: SUPPORT_PROVIDERS,
})
export class SupportModule {}
