import { Module } from '@nestjs/common';
import { CatalogModule } from '@botfleet/catalog';
import { SalesModule } from '@botfleet/sales';
import { SubscriptionViewsService } from '@botfleet/provisioning';
import { UsersModule } from '@botfleet/users';
import { HostedBotFactory } from './client/hosted-bot.factory';
import { SubscriptionDeliveryService } from './delivery/subscription-delivery.service';
import { BotComposition } from './composition/bot-composition.service';
import { UpdateHandler } from './pipeline/update-handler.service';
import { SaleConversation } from './sales/sale-conversation.service';
import { BotProfileService } from './profile/bot-profile.service';

/** The bot conversation: the shared composition, the bot factory and the exactly-once update pipeline. */
@Module({
  imports: [CatalogModule, UsersModule, SalesModule],
  providers: [
    BotComposition,
    BotProfileService,
    HostedBotFactory,
    UpdateHandler,
    SubscriptionViewsService,
    SubscriptionDeliveryService,
    SaleConversation,
  ],
  exports: [BotComposition, BotProfileService, HostedBotFactory, UpdateHandler, SubscriptionDeliveryService],
})
export class BotConversationModule {}
