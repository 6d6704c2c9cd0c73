import { Injectable, Logger } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { Actors, describeError, DomainError, ErrorCode } from '@botfleet/common';
import { GatewayPaymentEntity, GatewayPaymentRepository, TenantDb, TenantRepositories } from '@botfleet/dal';
import { JOB_QUEUE, JobName, JobOutbox, JobPayloads, JobQueue, jobIdFor } from '@botfleet/jobs';
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
 * Marks (in the payment's details) a Telegram refund still to be applied by an ApplyStarsRefund job: when that job
 * was queued (ISO time; it names the job), with the payer's Telegram id beside it (`REFUND_FROM`). Written with the
 * job's outbox row in one transaction; cleared with the refund applied, or with the owner told.
 */
export const STARS_REFUND_PENDING = 'telegramRefundPending';
const REFUND_FROM = 'telegramRefundFrom';

/**
 * A refund still marked this long after its job was queued, with that job no longer in the queue (Redis lost it) or
 * failed for good without its hook having recorded it, is taken up again by the reconciler. Longer than the outbox
 * relay needs to queue a job whose process died after the commit.
 */
export const STARS_REFUND_RESUME_AFTER_MS = 10 * 60_000;

/** At most this many pending refunds are looked at per bot and reconciler run. */
const MAX_RESUMES = 50;

/** BullMQ states of a job that will still run. */
const ALIVE = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

/**
 * The domain side of a Stars checkout, called by the bot's handlers (libs/telegram/src/payments/stars*):
 * - `preCheckout` answers Telegram's last question before it takes the Stars: ok only for this user's open payment,
 *   its order still pending, the amount exactly what we recorded and still the plan's Stars price;
 * - `paid` records the `telegram_payment_charge_id` on the payment (unique per gateway: one charge, one payment)
 *   and settles it through SettleGatewayPaymentUseCase — once, however often or concurrently it is delivered;
 * - `refunded` (Telegram's `refunded_payment`) runs the port's refund: order refunded, wholesale reversed,
 *   subscription disabled, once (refundStarPayment answers "already refunded", which is success);
 * - `refundRefused` never drops a refund we refused, as Telegram has given the Stars back already: a refusal that
 *   clears by itself (the order still `fulfilling`) marks the payment (`STARS_REFUND_PENDING`) and queues an
 *   ApplyStarsRefund job through the job outbox, both in the update's transaction; the job (`applyLater`, one per
 *   charge, BullMQ backoff) applies it once the order settles and clears the mark. One that cannot (the wallet
 *   money was spent, or the retries ran out: `gaveUp`) tells the shop's owner through NotifyOwner, once per charge,
 *   and clears the mark in the same transaction;
 * - `resumeRefunds` (the gateway reconciler) takes up a marked refund whose job is gone: queued again when Redis lost
 *   it, the owner told when it failed for good and its final-failure hook could not record it.
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
    private readonly jobs: JobQueue,
    private readonly outbox: JobOutbox,
    private readonly marks: GatewayPaymentRepository,
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
    let outcome: StarsRefundedOutcome = 'already';
    if (payment.status !== 'refunded') {
      const r = await this.refund.execute({
        botId,
        paymentId: payment.id,
        actor: Actors.system('telegram refunded_payment'),
      });
      if (r.applied) outcome = 'refunded';
    }
    if (payment.details[STARS_REFUND_PENDING] !== undefined) await this.clearPending(botId, input.chargeId);
    return outcome;
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
   * The ApplyStarsRefund job: `refunded` again (the refund applied, or found applied, clears the pending mark in the
   * same transaction). A refusal that may still clear throws, so BullMQ retries it with backoff; one that cannot
   * tells the owner and ends the job.
   */
  async applyLater({
    botId,
    chargeId,
    fromTelegramId,
  }: JobPayloads[JobName.ApplyStarsRefund]): Promise<StarsRefundedOutcome | 'owner_told'> {
    try {
      return await this.db.atomic(botId, async () => {
        const outcome = await this.refunded(botId, { chargeId, fromTelegramId });
        // Not this user's payment (cannot be: the mark was written for them): nothing left to retry.
        if (outcome === 'unknown') await this.clearPending(botId, chargeId);
        return outcome;
      });
    } catch (e) {
      if (!DomainError.is(e) || REFUSALS_THAT_CLEAR.has(e.code)) throw e;
      await this.tellOwner(botId, chargeId, reasonOf(e));
      return 'owner_told';
    }
  }

  /**
   * The ApplyStarsRefund job failed for good (the order never settled within its retries): the owner is told and the
   * pending mark cleared, in one transaction. Throws when that could not be recorded: the mark then stays, and the
   * reconciler (`resumeRefunds`) tells the owner later.
   */
  async gaveUp({ botId, chargeId }: JobPayloads[JobName.ApplyStarsRefund]): Promise<void> {
    await this.tellOwner(botId, chargeId, 'unsettled');
  }

  /**
   * The reconciler's part (ReconcileGatewayPaymentsUseCase, every run): each refund still marked pending
   * `STARS_REFUND_RESUME_AFTER_MS` after its job was queued, and whose job will not run any more, is taken up again.
   * One that fails is logged and left marked for the next run. Returns the payments taken up.
   */
  async resumeRefunds(botId: string, now = new Date()): Promise<string[]> {
    const resumed: string[] = [];
    for (const id of await this.marks.idsMarked(botId, STARS_METHOD, STARS_REFUND_PENDING, MAX_RESUMES)) {
      try {
        if (await this.resumeRefund(botId, id, now)) resumed.push(id);
      } catch (e) {
        this.logger.error(
          { botId, paymentId: id, err: describeError(e) },
          'a pending Stars refund could not be taken up; tried again next run',
        );
      }
    }
    return resumed;
  }

  private async resumeRefund(botId: string, paymentId: string, now: Date): Promise<boolean> {
    const payment = await this.repos.gatewayPayments.findById(botId, paymentId);
    const pending = payment && pendingRefundOf(payment);
    if (!payment?.externalId || !pending) return false;
    if (now.getTime() - pending.queuedAt.getTime() < STARS_REFUND_RESUME_AFTER_MS) return false;
    if (payment.status === 'refunded') {
      // Applied, but the mark outlived it (cleared after the refund's own commit): nothing left to do.
      await this.clearPending(botId, payment.externalId);
      return true;
    }
    const queue = this.jobs.queue(JOB_QUEUE[JobName.ApplyStarsRefund]);
    const job = await queue.getJob(refundJobId(botId, payment.id, pending.queuedAt));
    const state = job ? await job.getState() : 'missing';
    if (ALIVE.has(state)) return false;
    const payload = { botId, chargeId: payment.externalId, fromTelegramId: pending.fromTelegramId };
    if (state === 'failed') {
      // Its retries ran out and its final-failure hook did not record it (it threw, or never ran): one more try now,
      // then the owner is told.
      try {
        await this.applyLater(payload);
      } catch (e) {
        if (!DomainError.is(e) || !REFUSALS_THAT_CLEAR.has(e.code)) throw e;
        await this.gaveUp(payload);
      }
      this.logger.warn({ botId, paymentId }, 'a Stars refund whose job failed for good was finished by the reconciler');
      return true;
    }
    // The job is gone (Redis lost it, or it was removed): queued again under a new id, unless the mark changed.
    const requeued = await this.db.run(botId, async () => {
      const locked = await this.repos.gatewayPayments.findById(botId, paymentId, 'pessimistic_write');
      const still = locked && pendingRefundOf(locked);
      if (!locked || still?.queuedAt.getTime() !== pending.queuedAt.getTime()) return false;
      await this.queueRefund(botId, locked, pending.fromTelegramId, now);
      return true;
    });
    if (requeued) this.logger.warn({ botId, paymentId, state }, 'a pending Stars refund lost its job: queued again');
    return requeued;
  }

  /**
   * Marks the payment and queues its ApplyStarsRefund job through the outbox, in one transaction (the update's,
   * when there is one): a rollback takes both, a commit keeps both. A refund already marked keeps its job.
   */
  private async retryLater(botId: string, input: { chargeId: string; fromTelegramId: number }): Promise<void> {
    await this.db.run(botId, async () => {
      const found = await this.repos.gatewayPayments.findOne(botId, {
        gateway: STARS_METHOD,
        externalId: input.chargeId,
      });
      const payment = found && (await this.repos.gatewayPayments.findById(botId, found.id, 'pessimistic_write'));
      if (!payment || payment.status === 'refunded' || pendingRefundOf(payment)) return;
      await this.queueRefund(botId, payment, input.fromTelegramId, new Date());
      this.logger.warn({ botId, paymentId: payment.id }, 'refunded_payment refused for now: applied again later');
    });
  }

  /** Under the payment's row lock: the pending mark (stamped `now`) and the job it names, through the outbox. */
  private async queueRefund(
    botId: string,
    payment: GatewayPaymentEntity,
    fromTelegramId: number,
    now: Date,
  ): Promise<void> {
    const marked = await this.repos.gatewayPayments.update(
      botId,
      { id: payment.id, status: payment.status },
      { details: { ...payment.details, [STARS_REFUND_PENDING]: now.toISOString(), [REFUND_FROM]: fromTelegramId } },
    );
    if (!marked) return;
    await this.outbox.add(
      botId,
      JobName.ApplyStarsRefund,
      { botId, chargeId: payment.externalId!, fromTelegramId },
      refundJobId(botId, payment.id, now),
    );
  }

  /** Clears the pending mark of the payment of `chargeId`, if it has one (under its row lock). */
  private async clearPending(botId: string, chargeId: string): Promise<void> {
    await this.db.run(botId, async () => {
      const found = await this.repos.gatewayPayments.findOne(botId, { gateway: STARS_METHOD, externalId: chargeId });
      const payment = found && (await this.repos.gatewayPayments.findById(botId, found.id, 'pessimistic_write'));
      if (!payment || payment.details[STARS_REFUND_PENDING] === undefined) return;
      await this.repos.gatewayPayments.update(botId, { id: payment.id }, { details: withoutPending(payment.details) });
    });
  }

  /**
   * Tells the owner about a refund we could not apply, once per charge (marked on the payment under its lock), and
   * clears the pending mark in the same transaction.
   */
  private async tellOwner(botId: string, chargeId: string, reason: StarsRefundUnappliedReason): Promise<void> {
    await this.db.run(botId, async () => {
      const found = await this.repos.gatewayPayments.findOne(botId, { gateway: STARS_METHOD, externalId: chargeId });
      const payment = found && (await this.repos.gatewayPayments.findById(botId, found.id, 'pessimistic_write'));
      if (!payment) return;
      if (payment.status === 'refunded' || payment.details?.[UNAPPLIED_MARK]) {
        if (payment.details[STARS_REFUND_PENDING] !== undefined) {
          await this.repos.gatewayPayments.update(
            botId,
            { id: payment.id },
            { details: withoutPending(payment.details) },
          );
        }
        return;
      }
      await this.repos.gatewayPayments.update(
        botId,
        { id: payment.id },
        { details: { ...withoutPending(payment.details), [UNAPPLIED_MARK]: reason } },
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

/** The payment's pending refund: when its job was queued and for whom (null: none pending). */
export function pendingRefundOf(payment: GatewayPaymentEntity): { queuedAt: Date; fromTelegramId: number } | null {
  const queuedAt = payment.details[STARS_REFUND_PENDING];
  const from = payment.details[REFUND_FROM];
  if (typeof queuedAt !== 'string' || typeof from !== 'number') return null;
  const at = new Date(queuedAt);
  return Number.isNaN(at.getTime()) ? null : { queuedAt: at, fromTelegramId: from };
}

/** The ApplyStarsRefund job of a payment's refund queued at `queuedAt` (each queueing gets its own id). */
export function refundJobId(botId: string, paymentId: string, queuedAt: Date): string {
  return jobIdFor(JobName.ApplyStarsRefund, [botId, paymentId, queuedAt.getTime()]);
}

function withoutPending(details: GatewayPaymentEntity['details']): GatewayPaymentEntity['details'] {
  const { [STARS_REFUND_PENDING]: _pending, [REFUND_FROM]: _from, ...rest } = details;
  return rest;
}
