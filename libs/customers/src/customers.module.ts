import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { BotStatsService } from './bot-stats.service';
import { CustomersService } from './customers.service';

@Module({
  imports: [BillingModule],
  providers: [CustomersService, BotStatsService],
  exports: [CustomersService, BotStatsService],
})
export class CustomersModule {}
