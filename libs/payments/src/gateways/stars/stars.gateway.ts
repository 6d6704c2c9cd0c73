import { Injectable } from '@nestjs/common';
import { TelegramBotApi } from '@botfleet/bot-api';
import { DomainError, ErrorCode } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BotSelfRepository, GatewayPaymentEntity, TenantRepositories } from '@botfleet/dal';
import { SecretBox } from '@botfleet/secrets';
import {
  GatewayQuote,
  GatewayQuoteContext,
  GatewayStartInput,
  GatewayVerification,
  PaymentGateway,
  StartedGatewayPayment,
} from '../../port/payment-gateway.port';

/** The gateway's name (gateway_payments.gateway, orders.payment_method, ledger keys `stars:{charge_id}`). */
export const STARS_METHOD = 'stars';
/** Telegram's currency code of Stars. */
export const XTR = 'XTR';
/** Our invoice payload: `stars:<payment id>`; the payment is looked up inside the bot the update came to. */
const PAYLOAD = /^stars:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export const starsPayload = (paymentId: string): string => `stars:${paymentId}`;
export function parseStarsPayload(payload: unknown): string | null {
  if (typeof payload !== 'string') return null;
  return PAYLOAD.exec(payload)?.[1] ?? null;
}

/**
 * Telegram Stars (XTR) as a gateway. A plan is sold for Stars only at its own Stars price (`bot_plans.price_stars`,
 * set by the tenant); top-ups are not offered in Stars. `start` returns the invoice the bot sends (sendInvoice with
 * an empty provider token and one price); the money is confirmed by Telegram's `successful_payment` (StarsCheckout),
 * never by polling, so `verify` only reports what that recorded. Refunds go through `refundStarPayment` with the
 * bot's own token; a charge already refunded is a success.
 */
@Injectable()
export class StarsGateway implements PaymentGateway {
  static readonly method = STARS_METHOD;
  readonly method = STARS_METHOD;
  readonly featureKey = 'telegram_stars' as const;
  readonly refundable = true;
  readonly ttlMinutes = 30;
  readonly startsLocally = true;

  constructor(
    private readonly config: AppConfig,
    private readonly repos: TenantRepositories,
    private readonly self: BotSelfRepository,
    private readonly box: SecretBox,
  ) {}

  async quote(
    botId: string,
    _amountMinor: number,
    _currency: string,
    context?: GatewayQuoteContext,
  ): Promise<GatewayQuote | null> {
    const stars = context?.orderId ? await this.orderPriceStars(botId, context.orderId) : null;
    return stars ? { gatewayAmount: String(stars), gatewayUnit: XTR } : null;
  }

  async start({ botId, payment, language }: GatewayStartInput): Promise<StartedGatewayPayment> {
    const amount = starsOf(payment);
    const order = payment.orderId ? await this.repos.orders.findById(botId, payment.orderId) : null;
    const plan = order ? await this.repos.plans.findById(botId, order.planId) : null;
    const names = plan?.name ?? {};
    const name = names[language as 'fa' | 'en' | 'ru'] ?? names.en ?? names.fa ?? names.ru ?? 'VPN';
    return {
      kind: 'invoice',
      externalId: null,
      // The bot words the title and description in the buyer's language (libs/telegram/src/payments/stars-invoice.ts).
      invoice: { title: name, days: order?.periodDays ?? 0, payload: starsPayload(payment.id), currency: XTR, amount },
    };
  }

  /** Stars are confirmed by Telegram's successful_payment only: a charge id on the payment means it was paid. */
  async verify(_botId: string, payment: GatewayPaymentEntity): Promise<GatewayVerification> {
    if (payment.externalId) return { status: 'paid', gatewayRef: payment.externalId, alreadyVerified: true };
    return { status: 'pending' };
  }

  async refund(botId: string, payment: GatewayPaymentEntity): Promise<void> {
    if (!payment.externalId) throw new DomainError(ErrorCode.CONFLICT, 'This Stars payment has no charge to refund');
    const [bot, user] = await Promise.all([this.self.get(botId), this.repos.users.findById(botId, payment.userId)]);
    if (!bot || !user) throw new DomainError(ErrorCode.NOT_FOUND, 'Payment not found');
    const token = this.box.decrypt(bot.telegramTokenCiphertext, botId);
    await new TelegramBotApi(this.config.TELEGRAM_API_ROOT).refundStarPayment(
      token,
      Number(user.telegramId),
      payment.externalId,
    );
  }

  /** The Stars price of the order now (null: its plan is not sold for Stars, or it owes less than one Star). */
  async orderPriceStars(botId: string, orderId: string): Promise<number | null> {
    const order = await this.repos.orders.findById(botId, orderId);
    if (!order) return null;
    const plan = await this.repos.plans.findById(botId, order.planId);
    if (!plan?.priceStars) return null;
    return discountedStars(plan.priceStars, order.amountMinor, order.discountMinor);
  }
}

/**
 * The Stars price of an order of a plan priced `priceStars`: a promo code's discount (libs/growth) lowers it in the
 * same proportion, rounded up to a whole Star. An order that owes less than one Star (a code that takes the whole
 * price: the promo rules leave one minor unit, or nothing) is not sold for Stars (null): Telegram's minimum of one
 * Star would charge the customer many times what they owe, so they pay it by the other methods.
 */
export function discountedStars(priceStars: number, amountMinor: number, discountMinor: number): number | null {
  if (discountMinor <= 0) return priceStars;
  const full = amountMinor + discountMinor;
  const owed = (priceStars * Math.max(0, amountMinor)) / full;
  return owed < 1 ? null : Math.ceil(owed);
}

export function starsOf(payment: GatewayPaymentEntity): number {
  const n = Number(payment.gatewayAmount);
  if (payment.gatewayUnit !== XTR || !Number.isSafeInteger(n) || n <= 0) {
    throw new Error(`Stars payment ${payment.id} has no whole Stars amount`);
  }
  return n;
}
