import { Module } from '@nestjs/common';
import { CustomersModule as CustomersDomainModule } from '@botfleet/customers';
import { SalesModule } from '@botfleet/sales';
import { CustomersController } from './customers.controller';
import { SalesController } from './sales.controller';
import { StatsController } from './stats.controller';

@Module({
  imports: [CustomersDomainModule, SalesModule],
  controllers: [CustomersController, SalesController, StatsController],
})
export class CustomersApiModule {}
