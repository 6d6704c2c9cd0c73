import { Module } from '@nestjs/common';
import { CustomersModule as CustomersDomainModule } from '@botfleet/customers';
import { SalesModule } from '@botfleet/sales';
import { CustomersController } from './customers.controller';
import { SalesController } from './sales.controller';

@Module({
  imports: [CustomersDomainModule, SalesModule],
  controllers: [CustomersController, SalesController],
})
export class CustomersApiModule {}
