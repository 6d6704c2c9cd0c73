import { Type } from '@nestjs/common';
import { PaymentGateway } from '../port/payment-gateway.port';
import { CryptoBotGateway } from './cryptobot/cryptobot.gateway';
import { StarsGateway } from './stars/stars.gateway';
import { ZarinpalGateway } from './zarinpal/zarinpal.gateway';

/**
 * Every payment gateway adapter, one line each (libs/payments/README.md "Adding a gateway"). The order is the
 * order of the buttons on the payment screen.
 */
export const GATEWAY_ADAPTERS: Type<PaymentGateway>[] = [ZarinpalGateway, StarsGateway, CryptoBotGateway];
