import { Module } from '@nestjs/common';
import { CustomersModule as CustomersDomainModule } from '@botfleet/customers';
import { TopUpsModule } from '@botfleet/payments';
import { SalesModule } from '@botfleet/sales';
import { CustomersController } from './customers.controller';
import { SalesController } from './sales.controller';
import { StatsController } from './stats.controller';
import { TopUpsController } from './top-ups.controller';

@Module({
  imports: [CustomersDomainModule, SalesModule, TopUpsModule],
  controllers: [CustomersController, SalesController, StatsController, TopUpsController],
})
export class CustomersApiModule {}
