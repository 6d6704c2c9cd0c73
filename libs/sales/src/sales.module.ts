import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { CatalogModule } from '@botfleet/catalog';
import { CardPaymentService } from './card-payment.service';
import { FulfilmentService } from './fulfilment.service';
import { PurchaseService } from './purchase.service';
import { ReviewPolicy } from './review-policy';
import { WalletPaymentService } from './wallet-payment.service';
import { SaleNotifier } from './sale-events';

@Module({
  imports: [BillingModule, CatalogModule],
  providers: [PurchaseService, CardPaymentService, WalletPaymentService, FulfilmentService, SaleNotifier, ReviewPolicy],
  exports: [PurchaseService, CardPaymentService, WalletPaymentService, FulfilmentService, SaleNotifier, ReviewPolicy],
})
export class SalesModule {}
