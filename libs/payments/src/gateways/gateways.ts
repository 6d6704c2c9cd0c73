import { Type } from '@nestjs/common';
import { NON_GATEWAY_PAYMENT_METHODS, PaymentMethod } from '@botfleet/dal';
import { PaymentGateway } from '../port/payment-gateway.port';
import { CryptoBotGateway } from './cryptobot/cryptobot.gateway';
import { StarsGateway } from './stars/stars.gateway';
import { ZarinpalGateway } from './zarinpal/zarinpal.gateway';

/**
 * A gateway adapter's class. Its name is also a static `method`, the same as the instances' (PaymentGateways
 * checks), so the names are known where no adapter is built: request validation and the OpenAPI enums.
 */
export type GatewayAdapterType = Type<PaymentGateway> & { readonly method: string };

/**
 * Every payment gateway adapter, one line each (libs/payments/README.md "Adding a gateway"). The order is the
 * order of the buttons on the payment screen.
 */
export const GATEWAY_ADAPTERS: GatewayAdapterType[] = [ZarinpalGateway, StarsGateway, CryptoBotGateway];

/** The gateways' names (gateway_payments.gateway), in registry order. */
export const GATEWAY_METHODS: readonly string[] = GATEWAY_ADAPTERS.map((a) => a.method);

/** Every value orders.payment_method takes: the ways paid without a gateway, then each gateway. */
export const ORDER_PAYMENT_METHODS: readonly PaymentMethod[] = [...NON_GATEWAY_PAYMENT_METHODS, ...GATEWAY_METHODS];

/** How a payment of the payments history (PaymentView.method) was made: a card-to-card receipt or a gateway. */
export const PAYMENT_VIEW_METHODS: readonly string[] = ['card_to_card', ...GATEWAY_METHODS];
