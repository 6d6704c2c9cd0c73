// Generated from the API's /docs-json by `npm run console:schema`. Do not edit.
import type { components } from './schema';

export const OrderPaymentMethod = ["card_to_card","wallet","free","zarinpal","stars","cryptobot"] as const satisfies readonly components['schemas']['OrderPaymentMethod'][];
export const PaymentViewMethod = ["card_to_card","zarinpal","stars","cryptobot"] as const satisfies readonly components['schemas']['PaymentViewMethod'][];
