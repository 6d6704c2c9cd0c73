import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { BotAdminsModule } from '@botfleet/bots';
import { CatalogModule } from '@botfleet/catalog';
import { CardPaymentOpener } from './card-payment-opener';
import { CardPaymentService } from './card-payment.service';
import { FulfilmentService } from './fulfilment.service';
import { ReviewPolicy } from './review-policy';
import { SaleNotifier } from './sale-events';
import { SalesQueries } from './sales-queries.service';
import { ApproveReceiptUseCase } from './use-cases/approve-receipt.use-case';
import { CreateOrderUseCase } from './use-cases/create-order.use-case';
import { ExpireCardPaymentsUseCase } from './use-cases/expire-card-payments.use-case';
import { ExpirePendingOrdersUseCase } from './use-cases/expire-pending-orders.use-case';
import { RemindReviewsUseCase } from './use-cases/remind-reviews.use-case';
import { PendingOrders } from './pending-orders.service';
import { FulfilOrderUseCase } from './use-cases/fulfil-order.use-case';
import { PayFromWalletUseCase } from './use-cases/pay-from-wallet.use-case';
import { RejectReceiptUseCase } from './use-cases/reject-receipt.use-case';
import { StartCardPaymentUseCase } from './use-cases/start-card-payment.use-case';
import { SubmitReceiptUseCase } from './use-cases/submit-receipt.use-case';

const SALES_PROVIDERS = [
  SalesQueries,
  CardPaymentService,
  CardPaymentOpener,
  FulfilmentService,
  SaleNotifier,
  ReviewPolicy,
  CreateOrderUseCase,
  StartCardPaymentUseCase,
  SubmitReceiptUseCase,
  ApproveReceiptUseCase,
  RejectReceiptUseCase,
  PayFromWalletUseCase,
  FulfilOrderUseCase,
  ExpireCardPaymentsUseCase,
  PendingOrders,
  ExpirePendingOrdersUseCase,
  RemindReviewsUseCase,
];

/** The sale: its rules and queries, and one use case per step that spans aggregates (./use-cases). */
@Module({
  imports: [BillingModule, CatalogModule, BotAdminsModule],
  providers: SALES_PROVIDERS,
  exports: SALES_PROVIDERS,
})
export class SalesModule {}
