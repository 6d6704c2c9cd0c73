import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { BotAdminsModule, ConsoleAccessModule } from '@botfleet/bots';
import { BroadcastsModule } from '@botfleet/broadcasts';
import { CatalogModule } from '@botfleet/catalog';
import { CustomersModule } from '@botfleet/customers';
import { GrowthModule } from '@botfleet/growth';
import { PaymentsModule, TopUpsModule } from '@botfleet/payments';
import { SalesModule } from '@botfleet/sales';
import { SupportModule } from '@botfleet/support';
import { SubscriptionViewsService } from '@botfleet/provisioning';
import { UsersModule } from '@botfleet/users';
import { AdminHandler } from './admin/admin.handler';
import { AdminState } from './admin/admin-state';
import { SubscriptionDeliveryService } from './delivery/subscription-delivery.service';
import { BotComposition } from './composition/bot-composition.service';
import { AutoRenewHandler } from './growth/auto-renew.handler';
import { ReminderNotices } from './growth/reminder-notices';
import { TrialHandler } from './growth/trial.handler';
import { PromoHandler } from './growth/promo.handler';
import { ReferralHandler } from './growth/referral.handler';
import { Messenger } from './messaging/messenger.service';
import { BotRuntimes } from './runtime/bot-runtimes.service';
import { SendBudget } from './budget/send-budget';
import { PaymentHandler } from './payments/payment.handler';
import { StarsHandler } from './payments/stars.handler';
import { PaymentLinks } from './payments/payment-links.service';
import { PaymentNotifications } from './payments/payment-notifications.service';
import { SaleConversation } from './sales/sale-conversation.service';
import { SalePurchaseHandler } from './sales/sale-purchase.handler';
import { SaleReceiptHandler } from './sales/sale-receipt.handler';
import { SaleReviewHandler } from './sales/sale-review.handler';
import { BotProfileService } from './profile/bot-profile.service';
import { SupportAdminHandler } from './support/support-admin.handler';
import { SupportConversation } from './support/support-conversation.service';
import { SupportCustomerHandler } from './support/support-customer.handler';
import { SupportDrafts } from './support/support-drafts';
import { SupportNotifications } from './support/support-notifications.service';
import { TopUpNotices } from './wallet/top-up-notices';
import { WalletHandler } from './wallet/wallet.handler';

/** The bot conversation: the shared composition, the bots' runtimes and the messenger every send goes through. */
@Module({
  imports: [
    CatalogModule,
    UsersModule,
    SalesModule,
    BillingModule,
    CustomersModule,
    BotAdminsModule,
    BroadcastsModule,
    ConsoleAccessModule,
    PaymentsModule,
    TopUpsModule,
    SupportModule,
    GrowthModule,
  ],
  providers: [
    TrialHandler,
    PromoHandler,
    ReferralHandler,
    AutoRenewHandler,
    ReminderNotices,
    BotComposition,
    BotProfileService,
    BotRuntimes,
    SendBudget,
    Messenger,
    SubscriptionViewsService,
    SubscriptionDeliveryService,
    SalePurchaseHandler,
    PaymentHandler,
    StarsHandler,
    PaymentNotifications,
    PaymentLinks,
    SaleReceiptHandler,
    SaleReviewHandler,
    SaleConversation,
    SupportDrafts,
    SupportCustomerHandler,
    SupportAdminHandler,
    SupportConversation,
    SupportNotifications,
    AdminState,
    AdminHandler,
    WalletHandler,
    TopUpNotices,
  ],
  exports: [
    BotComposition,
    ReminderNotices,
    BotProfileService,
    BotRuntimes,
    SendBudget,
    Messenger,
    SubscriptionDeliveryService,
    PaymentNotifications,
    PaymentLinks,
    TopUpNotices,
    SupportNotifications,
  ],
})
export class BotConversationModule {}
