import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { CustomersService } from './customers.service';

@Module({ imports: [BillingModule], providers: [CustomersService], exports: [CustomersService] })
export class CustomersModule {}
