import type { FeatureKey } from '@botfleet/catalog';
import type { GatewayPaymentEntity } from '@botfleet/dal';

/** What a gateway charges for an amount of our money: a decimal string in the gateway's unit (IRR, XTR, USDT …). */
export interface GatewayQuote {
  gatewayAmount: string;
  gatewayUnit: string;
}

/**
 * What the amount is for, for gateways whose price is not a function of the amount (Telegram Stars: the plan's own
 * Stars price). Absent for a top-up.
 */
export interface GatewayQuoteContext {
  orderId?: string;
}

/** The payment being started, as the gateway needs it. Never carries a secret: the adapter loads its own config. */
export interface GatewayStartInput {
  botId: string;
  payment: GatewayPaymentEntity;
  /** Shown by the gateway (Zarinpal's description, an invoice title); plain text, ≤ 255 characters. */
  description: string;
  /** The buyer's language, for gateways that show a page in it. */
  language: string;
}

/**
 * What the bot shows to let the customer pay: a URL to open (Zarinpal StartPay, a Crypto Pay invoice) or
 * an invoice to send in the chat (Telegram Stars). `externalId` is the gateway's id for this payment when
 * the gateway gives one at once (an authority, an invoice id); for Stars it comes with `successful_payment`.
 */
export type StartedGatewayPayment =
  | { kind: 'url'; url: string; externalId: string; details?: GatewayDetails }
  | { kind: 'invoice'; externalId: string | null; invoice: Record<string, string | number>; details?: GatewayDetails };

/** Non-secret facts a gateway reports (card mask, fee, ref id); stored in gateway_payments.details. */
export type GatewayDetails = Record<string, string | number | boolean | null>;

/**
 * The gateway's answer to "was this payment made?", asked with the amount from OUR database.
 * - `paid`: the money is ours (Zarinpal 100 and 101 alike: `alreadyVerified` says which). Settle it.
 * - `pending`: not paid yet (the customer may still pay); ask again later.
 * - `failed`: it will never be paid (cancelled, amount mismatch, unknown to the gateway); `reason` is for logs.
 * - `expired`: the gateway closed it unpaid because its own deadline passed (a Crypto Pay invoice): the payment
 *   expires now, whoever asked (the reconciler too), instead of waiting for our deadline.
 */
export type GatewayVerification =
  | { status: 'paid'; gatewayRef: string | null; alreadyVerified: boolean; details?: GatewayDetails }
  | { status: 'pending' }
  | { status: 'failed'; reason: string }
  | { status: 'expired' };

/**
 * A payment gateway adapter (libs/payments/README.md): one folder under `src/gateways/<name>/`, its feature key in
 * `libs/catalog/src/features/feature-catalog.ts`, its class in `src/gateways/gateways.ts`. An adapter talks to
 * its gateway and nothing else: it never touches orders, wallets or the ledger — SettleGatewayPaymentUseCase and
 * RefundGatewayPaymentUseCase are the one place money lands or leaves, for every gateway alike.
 *
 * Errors: a gateway that cannot be reached or answers nonsense throws DomainError PAYMENT_GATEWAY_UNAVAILABLE
 * (the caller retries; nothing changed). Secrets (merchant ids, API tokens) never leave the adapter.
 */
export interface PaymentGateway {
  /** The gateway's name: gateway_payments.gateway, orders.payment_method and the ledger key prefix. */
  readonly method: string;
  /** The feature that switches it on per bot. */
  readonly featureKey: FeatureKey;
  /** Whether `refund` exists (Stars: yes; Zarinpal v4: no). */
  readonly refundable: boolean;
  /** Minutes a started payment stays payable before it expires. */
  readonly ttlMinutes: number;
  /**
   * `start` asks no outside service (it builds an invoice from our rows), so it may run inside the caller's
   * transaction. Absent = it calls the gateway over the network: never inside a transaction (StartGatewayPaymentUseCase).
   */
  readonly startsLocally?: boolean;

  /** Can this bot take `amountMinor` of `currency` through it now? null = no (unit, limits, no config). */
  quote(
    botId: string,
    amountMinor: number,
    currency: string,
    context?: GatewayQuoteContext,
  ): Promise<GatewayQuote | null>;

  /** Registers the payment with the gateway and says what the customer must open or be sent. */
  start(input: GatewayStartInput): Promise<StartedGatewayPayment>;

  /** Asks the gateway whether the payment was made, with the amount from our database. */
  verify(botId: string, payment: GatewayPaymentEntity): Promise<GatewayVerification>;

  /** Gives the money back through the gateway. "Already refunded" is success. Only when `refundable`. */
  refund?(botId: string, payment: GatewayPaymentEntity): Promise<void>;

  /**
   * For the reconciler: the gateway ids of payments the gateway says were paid but we never confirmed (Zarinpal's
   * `unVerified`). Gateways that push every payment (Stars, Crypto Pay webhooks) leave it out.
   */
  unconfirmed?(botId: string): Promise<string[]>;
}

/** The injection token of the registered adapters (an array); use PaymentGateways to reach them. */
export const PAYMENT_GATEWAY_ADAPTERS = Symbol('PAYMENT_GATEWAY_ADAPTERS');

/** The ledger idempotency key of money a gateway brought in: `zarinpal:{authority}`, `stars:{charge_id}` … */
export const gatewayCreditKey = (gateway: string, externalId: string): string => `${gateway}:${externalId}`;
/** The key of the ledger row that takes a refunded gateway payment back out of a wallet. */
export const gatewayRefundKey = (gateway: string, externalId: string): string => `${gateway}:${externalId}:refund`;
