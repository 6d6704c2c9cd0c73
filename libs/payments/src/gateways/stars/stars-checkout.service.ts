import { Injectable, Logger } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { Actors } from '@botfleet/common';
import { GatewayPaymentEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { RefundGatewayPaymentUseCase } from '../../use-cases/refund-gateway-payment.use-case';
import { SettleGatewayPaymentUseCase } from '../../use-cases/settle-gateway-payment.use-case';
import { parseStarsPayload, STARS_METHOD, StarsGateway, starsOf, XTR } from './stars.gateway';

/** What Telegram tells the bot about a Stars checkout (pre_checkout_query, successful_payment, refunded_payment). */
export interface StarsCheckoutInput {
  payload: string;
  currency: string;
  totalAmount: number;
  /** The Telegram id of the payer (`from.id`). */
  fromTelegramId: number;
}

/**
 * Why a checkout is refused: `unknown` (not a payment of this bot and this user), `not_payable` (the payment or
 * its order is no longer open: paid, expired, cancelled), `price_changed` (the amount is not what we recorded, or
 * the plan's Stars price changed since the invoice was sent).
 */
export type StarsRefusal = 'unknown' | 'not_payable' | 'price_changed';

export type StarsPaidOutcome =
  /** Settled now: the order was paid (or, if no longer payable, the user's wallet credited). */
  | { outcome: 'settled'; payment: GatewayPaymentEntity }
  /** This charge had been settled before (a redelivery, a concurrent copy): nothing changed. */
  | { outcome: 'already'; payment: GatewayPaymentEntity }
  /** Not a payment of this bot and this user: nothing to credit (logged). */
  | { outcome: 'unknown' };

export type StarsRefundedOutcome = 'refunded' | 'already' | 'unknown';

/**
 * The domain side of a Stars checkout, called by the bot's handlers (libs/telegram/src/payments/stars*):
 * - `preCheckout` answers Telegram's last question before it takes the Stars: ok only for this user's open payment,
 *   its order still pending, the amount exactly what we recorded and still the plan's Stars price;
 * - `paid` records the `telegram_payment_charge_id` on the payment (unique per gateway: one charge, one payment)
 *   and settles it through SettleGatewayPaymentUseCase — once, however often or concurrently it is delivered;
 * - `refunded` (Telegram's `refunded_payment`) runs the port's refund: order refunded, wholesale reversed,
 *   subscription disabled, once (refundStarPayment answers "already refunded", which is success).
 */
@Injectable()
export class StarsCheckout {
  private readonly logger = new Logger(StarsCheckout.name);

  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly stars: StarsGateway,
    private readonly settle: SettleGatewayPaymentUseCase,
    private readonly refund: RefundGatewayPaymentUseCase,
  ) {}

  async preCheckout(
    botId: string,
    input: StarsCheckoutInput,
    now = new Date(),
  ): Promise<{ ok: true } | { ok: false; reason: StarsRefusal }> {
    const payment = await this.paymentOf(botId, input.payload, input.fromTelegramId);
    if (!payment) return { ok: false, reason: 'unknown' };
    if (payment.status !== 'pending' || payment.expiresAt.getTime() <= now.getTime()) {
      return { ok: false, reason: 'not_payable' };
    }
    const order = payment.orderId ? await this.repos.orders.findById(botId, payment.orderId) : null;
    if (!order || order.status !== 'pending') return { ok: false, reason: 'not_payable' };
    const recorded = starsOf(payment);
    if (input.currency !== XTR || input.totalAmount !== recorded) return { ok: false, reason: 'price_changed' };
    if ((await this.stars.orderPriceStars(botId, order.id)) !== recorded) return { ok: false, reason: 'price_changed' };
    return { ok: true };
  }

  async paid(botId: string, input: StarsCheckoutInput & { chargeId: string }): Promise<StarsPaidOutcome> {
    const chargeId = input.chargeId;
    if (!chargeId || chargeId.length > 255) return { outcome: 'unknown' };
    return this.db.run(botId, async () => {
      let payment = await this.repos.gatewayPayments.findOne(botId, { gateway: STARS_METHOD, externalId: chargeId });
      if (!payment) {
        const own = await this.paymentOf(botId, input.payload, input.fromTelegramId);
        if (!own) {
          this.logger.warn({ botId, gateway: STARS_METHOD }, 'successful_payment for no payment of this bot and user');
          return { outcome: 'unknown' as const };
        }
        if (input.currency !== XTR || input.totalAmount !== starsOf(own)) {
          this.logger.warn(
            { botId, paymentId: own.id, totalAmount: input.totalAmount },
            'Stars paid a different amount',
          );
        }
        // One charge, one payment: the charge id lands on the payment once (a concurrent copy waits on the row
        // and then finds it set); a second, different charge for the same invoice becomes its own payment.
        const recorded = await this.repos.gatewayPayments.update(
          botId,
          { id: own.id, externalId: IsNull() },
          { externalId: chargeId },
        );
        payment = recorded ? own : await this.repos.gatewayPayments.findById(botId, own.id);
        if (payment && payment.externalId !== null && payment.externalId !== chargeId) {
          payment = await this.secondCharge(botId, payment, chargeId);
        }
      }
      if (!payment) return { outcome: 'unknown' as const };
      const r = await this.settle.execute({ botId, paymentId: payment.id, gatewayRef: chargeId });
      return { outcome: r.applied ? ('settled' as const) : ('already' as const), payment: r.payment };
    });
  }

  async refunded(botId: string, input: { chargeId: string; fromTelegramId: number }): Promise<StarsRefundedOutcome> {
    if (!input.chargeId || input.chargeId.length > 255) return 'unknown';
    const payment = await this.repos.gatewayPayments.findOne(botId, {
      gateway: STARS_METHOD,
      externalId: input.chargeId,
    });
    if (!payment || !(await this.isPayer(botId, payment, input.fromTelegramId))) return 'unknown';
    if (payment.status === 'refunded') return 'already';
    const r = await this.refund.execute({
      botId,
      paymentId: payment.id,
      actor: Actors.system('telegram refunded_payment'),
    });
    return r.applied ? 'refunded' : 'already';
  }

  /** The Stars payment an invoice payload names, if it is this bot's and was made for this Telegram user. */
  private async paymentOf(
    botId: string,
    payload: string,
    fromTelegramId: number,
  ): Promise<GatewayPaymentEntity | null> {
    const id = parseStarsPayload(payload);
    if (!id) return null;
    const payment = await this.repos.gatewayPayments.findOne(botId, { id, gateway: STARS_METHOD });
    if (!payment || !(await this.isPayer(botId, payment, fromTelegramId))) return null;
    return payment;
  }

  private async isPayer(botId: string, payment: GatewayPaymentEntity, telegramId: number): Promise<boolean> {
    const user = await this.repos.users.findById(botId, payment.userId);
    return !!user && Number(user.telegramId) === telegramId;
  }

  /** Money for an invoice that another charge already paid: its own payment row, settled like any other. */
  private async secondCharge(
    botId: string,
    first: GatewayPaymentEntity,
    chargeId: string,
  ): Promise<GatewayPaymentEntity> {
    this.logger.warn({ botId, paymentId: first.id }, 'a second Stars charge for one invoice: settled on its own');
    return this.repos.gatewayPayments.insert(botId, {
      userId: first.userId,
      gateway: STARS_METHOD,
      purpose: first.purpose,
      orderId: first.orderId,
      amountMinor: first.amountMinor,
      currency: first.currency,
      gatewayAmount: first.gatewayAmount,
      gatewayUnit: first.gatewayUnit,
      externalId: chargeId,
      status: 'pending',
      details: { secondChargeOf: first.id },
      expiresAt: new Date(),
    });
  }
}
