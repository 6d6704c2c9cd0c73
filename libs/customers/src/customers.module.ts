import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { BotAdminsModule } from '@botfleet/bots';
import { BotStatsService } from './bot-stats.service';
import { CustomersService } from './customers.service';

@Module({
  imports: [BillingModule, BotAdminsModule],
  providers: [CustomersService, BotStatsService],
  exports: [CustomersService, BotStatsService],
})
export class CustomersModule {}
