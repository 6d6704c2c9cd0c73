import { Module } from '@nestjs/common';
import { PaymentsModule } from '@botfleet/payments';
import { CryptoBotWebhookController } from './cryptobot-webhook.controller';
import { StarsPaymentsController } from './stars-payments.controller';
import { PaymentsController } from './payments.controller';
import { ZarinpalCallbackController } from './zarinpal-callback.controller';

/** Online payments over HTTP: the gateways' callbacks (public) and the tenant's payment history and refunds. */
@Module({
  imports: [PaymentsModule],
  controllers: [CryptoBotWebhookController, StarsPaymentsController, ZarinpalCallbackController, PaymentsController],
})
export class PaymentsApiModule {}
