import { Module } from '@nestjs/common';
import { AuditModule } from '@botfleet/audit';
import { BillingModule } from '@botfleet/billing';
import { BotAdminsModule } from '@botfleet/bots';
import { CatalogModule } from '@botfleet/catalog';
import { SalesModule } from '@botfleet/sales';
import { CryptoBotWebhook } from './gateways/cryptobot/cryptobot-webhook.service';
import { GATEWAY_ADAPTERS } from './gateways/gateways';
import { StarsCheckout } from './gateways/stars/stars-checkout.service';
import { PaymentGateways } from './payment-gateways';
import { PaymentNotifier } from './payment-notifier';
import { PaymentsQueries } from './payments-queries.service';
import { PAYMENT_GATEWAY_ADAPTERS, PaymentGateway } from './port/payment-gateway.port';
import { ConfirmGatewayPaymentUseCase } from './use-cases/confirm-gateway-payment.use-case';
import { ExpireGatewayPaymentsUseCase } from './use-cases/expire-gateway-payments.use-case';
import { ReconcileGatewayPaymentsUseCase } from './use-cases/reconcile-gateway-payments.use-case';
import { RefundGatewayPaymentUseCase } from './use-cases/refund-gateway-payment.use-case';
import { RefundOrderUseCase } from './use-cases/refund-order.use-case';
import { SettleGatewayPaymentUseCase } from './use-cases/settle-gateway-payment.use-case';
import { StartGatewayPaymentUseCase } from './use-cases/start-gateway-payment.use-case';

const PAYMENTS_PROVIDERS = [
  PaymentGateways,
  StarsCheckout,
  CryptoBotWebhook,
  PaymentNotifier,
  PaymentsQueries,
  StartGatewayPaymentUseCase,
  SettleGatewayPaymentUseCase,
  ConfirmGatewayPaymentUseCase,
  RefundGatewayPaymentUseCase,
  RefundOrderUseCase,
  ExpireGatewayPaymentsUseCase,
  ReconcileGatewayPaymentsUseCase,
];

/**
 * Online payments: the gateway port and its adapters (./gateways), the one settle and refund path, the payment
 * history. Both apps import it; the adapters are found through PaymentGateways.
 */
@Module({
  imports: [AuditModule, BillingModule, BotAdminsModule, CatalogModule, SalesModule],
  providers: [
    ...GATEWAY_ADAPTERS,
    {
      provide: PAYMENT_GATEWAY_ADAPTERS,
      useFactory: (...adapters: PaymentGateway[]) => adapters,
      inject: GATEWAY_ADAPTERS,
    },
    ...PAYMENTS_PROVIDERS,
  ],
  exports: [...GATEWAY_ADAPTERS, ...PAYMENTS_PROVIDERS],
})
export class PaymentsModule {}
