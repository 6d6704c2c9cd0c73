import { Module } from '@nestjs/common';
import { ConsoleAccessModule } from '@botfleet/bots';
import { CustomersModule as CustomersDomainModule } from '@botfleet/customers';
import { PaymentsModule, TopUpsModule } from '@botfleet/payments';
import { SalesModule } from '@botfleet/sales';
import { CustomersController } from './customers.controller';
import { OrderRefundsController } from './order-refunds.controller';
import { ReceiptMediaController, ReceiptPhotoUrlController } from './receipt-photos.controller';
import { SalesController } from './sales.controller';
import { StatsController } from './stats.controller';
import { TopUpsController } from './top-ups.controller';

@Module({
  imports: [CustomersDomainModule, SalesModule, PaymentsModule, TopUpsModule, ConsoleAccessModule],
  controllers: [
    CustomersController,
    OrderRefundsController,
    SalesController,
    StatsController,
    TopUpsController,
    ReceiptPhotoUrlController,
    ReceiptMediaController,
  ],
})
export class CustomersApiModule {}
