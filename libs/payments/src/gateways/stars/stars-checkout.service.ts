import { Injectable, Logger } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { GatewayPaymentEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { JobName, JobOutbox, JobPayloads, JobQueue, jobIdFor } from '@botfleet/jobs';
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

/** What became of a refunded_payment our side refused: applied again later, or the shop's owner told. */
export type StarsRefundFollowUp = 'retry_later' | 'owner_told';

/** Why a Telegram refund could not be applied, as the owner's alert says it (`data.reason`). */
export type StarsRefundUnappliedReason = 'spent' | 'unsettled' | 'refused';

/** Refusals that clear by themselves: the order is still being fulfilled (or changed under us), a dependency hiccup. */
const REFUSALS_THAT_CLEAR: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.CONFLICT,
  ErrorCode.DEPENDENCY_DOWN,
  ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE,
  ErrorCode.RATE_LIMITED,
]);

/** Marks (in the payment's details) a Telegram refund the owner was told about: once per charge, however often. */
const UNAPPLIED_MARK = 'telegramRefundUnapplied';

/**
 * Retries of a refused refund outlast provisioning's own (an order stays `fulfilling` at most that long before it
 * settles either way): the same backoff base with 4 more attempts waits 16 times as long (≈ 18 h by default).
 */
const EXTRA_REFUND_ATTEMPTS = 4;

/**
 * The domain side of a Stars checkout, called by the bot's handlers (libs/telegram/src/payments/stars*):
 * - `preCheckout` answers Telegram's last question before it takes the Stars: ok only for this user's open payment,
 *   its order still pending, the amount exactly what we recorded and still the plan's Stars price;
 * - `paid` records the `telegram_payment_charge_id` on the payment (unique per gateway: one charge, one payment)
 *   and settles it through SettleGatewayPaymentUseCase — once, however often or concurrently it is delivered;
 * - `refunded` (Telegram's `refunded_payment`) runs the port's refund: order refunded, wholesale reversed,
 *   subscription disabled, once (refundStarPayment answers "already refunded", which is success);
 * - `refundRefused` never drops a refund we refused, as Telegram has given the Stars back already: a refusal that
 *   clears by itself (the order still `fulfilling`) is applied again by an ApplyStarsRefund job (`applyLater`, one
 *   per charge, BullMQ backoff) once the order settles; one that cannot (the wallet money was spent, or the retries
 *   ran out: `gaveUp`) tells the shop's owner through NotifyOwner, once per charge.
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
    private readonly config: AppConfig,
    private readonly jobs: JobQueue,
    private readonly outbox: JobOutbox,
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

  /**
   * `refunded` threw `error` (a DomainError): what now. Called after the refused work rolled back, inside the
   * update's transaction when there is one; throws only when the follow-up itself could not be recorded (the update
   * is then retried).
   */
  async refundRefused(
    botId: string,
    input: { chargeId: string; fromTelegramId: number },
    error: DomainError,
  ): Promise<StarsRefundFollowUp> {
    if (REFUSALS_THAT_CLEAR.has(error.code)) {
      await this.retryLater(botId, input);
      return 'retry_later';
    }
    await this.tellOwner(botId, input.chargeId, reasonOf(error));
    return 'owner_told';
  }

  /**
   * The ApplyStarsRefund job: `refunded` again. A refusal that may still clear throws, so BullMQ retries it with
   * backoff; one that cannot tells the owner and ends the job.
   */
  async applyLater({
    botId,
    chargeId,
    fromTelegramId,
  }: JobPayloads[JobName.ApplyStarsRefund]): Promise<StarsRefundedOutcome | 'owner_told'> {
    try {
      return await this.db.atomic(botId, () => this.refunded(botId, { chargeId, fromTelegramId }));
    } catch (e) {
      if (!DomainError.is(e) || REFUSALS_THAT_CLEAR.has(e.code)) throw e;
      await this.tellOwner(botId, chargeId, reasonOf(e));
      return 'owner_told';
    }
  }

  /** The ApplyStarsRefund job failed for good (the order never settled within its retries): the owner is told. */
  async gaveUp({ botId, chargeId }: JobPayloads[JobName.ApplyStarsRefund]): Promise<void> {
    await this.tellOwner(botId, chargeId, 'unsettled');
  }

  private async retryLater(botId: string, input: { chargeId: string; fromTelegramId: number }): Promise<void> {
    const payment = await this.repos.gatewayPayments.findOne(botId, {
      gateway: STARS_METHOD,
      externalId: input.chargeId,
    });
    if (!payment) return;
    const backoffMs = this.config.PROVISIONING_BACKOFF_MS;
    // Straight to the queue, not the outbox: the job only repeats `refunded`, which re-checks everything, so one
    // queued for an update whose transaction then rolls back is harmless, and a failed add fails the update (retried).
    await this.jobs.add(
      JobName.ApplyStarsRefund,
      { botId, chargeId: input.chargeId, fromTelegramId: input.fromTelegramId },
      {
        jobId: jobIdFor(JobName.ApplyStarsRefund, [botId, payment.id]),
        delay: backoffMs,
        attempts: this.config.PROVISIONING_ATTEMPTS + EXTRA_REFUND_ATTEMPTS,
        backoff: { type: 'exponential', delay: backoffMs },
      },
    );
    this.logger.warn({ botId, paymentId: payment.id }, 'refunded_payment refused for now: applied again later');
  }

  /** Tells the owner about a refund we could not apply, once per charge (marked on the payment under its lock). */
  private async tellOwner(botId: string, chargeId: string, reason: StarsRefundUnappliedReason): Promise<void> {
    await this.db.run(botId, async () => {
      const found = await this.repos.gatewayPayments.findOne(botId, { gateway: STARS_METHOD, externalId: chargeId });
      const payment = found && (await this.repos.gatewayPayments.findById(botId, found.id, 'pessimistic_write'));
      if (!payment || payment.status === 'refunded' || payment.details?.[UNAPPLIED_MARK]) return;
      await this.repos.gatewayPayments.update(
        botId,
        { id: payment.id },
        { details: { ...payment.details, [UNAPPLIED_MARK]: reason } },
      );
      const user = await this.repos.users.findById(botId, payment.userId);
      await this.outbox.add(
        botId,
        JobName.NotifyOwner,
        {
          botId,
          kind: 'stars_refund_unapplied',
          data: {
            telegramId: user ? String(user.telegramId) : '?',
            stars: starsOf(payment),
            order: payment.orderId ?? '-',
            reason,
          },
        },
        jobIdFor(JobName.NotifyOwner, [botId, 'stars_refund_unapplied', payment.id]),
      );
      this.logger.warn({ botId, paymentId: payment.id, reason }, 'a Telegram Stars refund could not be applied');
    });
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

function reasonOf(error: DomainError): StarsRefundUnappliedReason {
  return error.code === ErrorCode.INSUFFICIENT_BALANCE ? 'spent' : 'refused';
}
