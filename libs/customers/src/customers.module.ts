import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { BotAdminsModule } from '@botfleet/bots';
import { BotStatsService } from './bot-stats.service';
import { CustomersService } from './customers.service';
import { ResendSubscriptionLinkUseCase } from './resend-subscription-link.use-case';
import { SubscriptionSwitchService } from './subscription-switch.service';

@Module({
  imports: [BillingModule, BotAdminsModule],
  providers: [CustomersService, BotStatsService, SubscriptionSwitchService, ResendSubscriptionLinkUseCase],
  exports: [CustomersService, BotStatsService, SubscriptionSwitchService, ResendSubscriptionLinkUseCase],
})
export class CustomersModule {}
