import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { BotAdminsModule } from '@botfleet/bots';
import { BotStatsService } from './bot-stats.service';
import { CustomersService } from './customers.service';
import { SubscriptionSwitchService } from './subscription-switch.service';

@Module({
  imports: [BillingModule, BotAdminsModule],
  providers: [CustomersService, BotStatsService, SubscriptionSwitchService],
  exports: [CustomersService, BotStatsService, SubscriptionSwitchService],
})
export class CustomersModule {}
