import { Injectable, Logger } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import { DomainError, ErrorCode, MAX_MINOR } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { FeaturesService } from '@botfleet/catalog';
import { BotSelfRepository, GatewayPaymentEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { JobName, JobOutbox, jobIdFor } from '@botfleet/jobs';
import { mayActFor, OrderActor } from '@botfleet/sales';
import { PaymentGateways } from '../payment-gateways';
import { PaymentGateway, StartedGatewayPayment } from '../port/payment-gateway.port';

export type StartGatewayPaymentInput = {
  botId: string;
  /** The gateway's name (`zarinpal` …). */
  gateway: string;
  /** The buyer's language (gateways that show a page use it). */
  language: string;
} & (
  | { purpose: 'order'; orderId: string; by: OrderActor }
  /** `forOrderId`: the pending order the top-up is for (kept in the payment's details, StartGatewayTopUpUseCase). */
  | { purpose: 'topup'; userId: string; amountMinor: number; forOrderId?: string | null }
);

export interface StartedPayment {
  payment: GatewayPaymentEntity;
  /** What the bot shows: a URL to open or an invoice to send. */
  action: StartedGatewayPayment;
}

/** What `request` did: the payment to show now, or (`action: null`) a payment whose link comes in a message. */
export type RequestedPayment = StartedPayment | { payment: GatewayPaymentEntity; action: null };

/**
 * Where the buyer is shown the link once the gateway answered (`request`): the screen to replace, if any. It is also
 * kept on the payment (`screenMessageId`): a payment this one ends learns from it whether this link lands on its
 * own screen (`newerOnScreen`).
 */
export interface LinkDelivery {
  messageId?: number;
}

/** An open payment is offered again (same URL) while it has at least this long to live. */
const REUSE_MARGIN_MS = 5 * 60_000;

/** Why a payment still waiting for its gateway was ended by a newer one for the same order. */
export const SUPERSEDED_REASON = 'a newer payment was opened for the order';

/** Whether a payment was ended by a newer one for its order (its buyer is shown the newer one's link instead). */
export function wasSuperseded(p: { status: string; failureReason: string | null }): boolean {
  return p.status === 'failed' && p.failureReason === SUPERSEDED_REASON;
}

/** Why a payment was failed when its link job gave up before the gateway answered (`abandon`). */
export const LINK_NOT_PREPARED_REASON = 'the payment link could not be prepared';

/** Whether a payment was failed by `abandon` (its buyer is told to try again, once). */
export function wasAbandoned(p: { status: string; failureReason: string | null }): boolean {
  return p.status === 'failed' && p.failureReason === LINK_NOT_PREPARED_REASON;
}

/**
 * Starts paying an order (or a wallet top-up) through a gateway: the gateway must be enabled for the bot and able
 * to take the amount; a payment row is written `pending` first (so the gateway's answer always has a row to land
 * on), then the gateway is asked and its id is recorded. The gateway is never asked inside a database transaction:
 * a slow gateway would hold a pooled connection and the order's and user's row locks for seconds, and a rollback
 * after its answer would leave an authority nobody knows. A buyer who taps the button again while the payment is
 * still open gets the same payment back. A gateway that cannot be reached leaves the payment `failed` and answers
 * PAYMENT_GATEWAY_UNAVAILABLE.
 *
 * - `execute`: for callers outside a transaction (the API): opens, asks, records, answers with the URL.
 * - `request`: for a bot update, which runs in its transaction: opens the payment in it and queues the gateway call
 *   in the job outbox (StartGatewayPayment, one job per payment), committed with the update — a rolled-back update
 *   leaves neither row nor call. The job calls `complete` and shows the link. Gateways that start locally (Stars'
 *   invoice) are started at once.
 * - `complete`: the job's step, idempotent: a payment already started answers with its recorded link; two calls
 *   that raced to the gateway keep the first authority recorded (the other is never shown, and expires unpaid).
 */
@Injectable()
export class StartGatewayPaymentUseCase {
  private readonly logger = new Logger(StartGatewayPaymentUseCase.name);

  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly self: BotSelfRepository,
    private readonly gateways: PaymentGateways,
    private readonly features: FeaturesService,
    private readonly outbox: JobOutbox,
    private readonly config: AppConfig,
  ) {}

  async execute(input: StartGatewayPaymentInput): Promise<StartedPayment> {
    const gateway = await this.enabled(input);
    if (!gateway.startsLocally) this.assertOutsideTransaction(gateway);
    const opened = await this.open(input, gateway);
    if ('action' in opened && opened.action) return { payment: opened.payment, action: opened.action };
    const started = await this.ask(input.botId, gateway, opened.payment, input.language);
    if (!started) throw new DomainError(ErrorCode.CONFLICT, 'The payment is no longer open');
    return started;
  }

  /** See the class comment: opens the payment in the caller's transaction and queues the gateway call. */
  async request(input: StartGatewayPaymentInput, delivery: LinkDelivery = {}): Promise<RequestedPayment> {
    const { botId } = input;
    const gateway = await this.enabled(input);
    return this.db.run(botId, async () => {
      const opened = await this.open(input, gateway, true, delivery.messageId ?? null);
      if ('action' in opened) return opened;
      if (gateway.startsLocally) {
        const started = await this.ask(botId, gateway, opened.payment, input.language);
        if (!started) throw new DomainError(ErrorCode.CONFLICT, 'The payment is no longer open');
        return started;
      }
      const { payment } = opened;
      await this.outbox.add(
        botId,
        JobName.StartGatewayPayment,
        { botId, paymentId: payment.id, language: input.language, ...delivery },
        jobIdFor(JobName.StartGatewayPayment, [botId, payment.id]),
      );
      return { payment, action: null };
    });
  }

  /**
   * Asks the gateway for a payment `request` opened (the job's step; outside any transaction). Null when there is
   * nothing to show any more (paid, expired or failed meanwhile — a newer payment for the order included, even one
   * failed while the gateway was being asked: its late answer is recorded nowhere and shown nowhere). Throws the
   * gateway's refusal as a DomainError.
   */
  async complete(botId: string, paymentId: string, language: string): Promise<StartedPayment | null> {
    const payment = await this.repos.gatewayPayments.findById(botId, paymentId);
    if (!payment || payment.status !== 'pending' || payment.expiresAt.getTime() <= Date.now()) return null;
    const recorded = startedOf(payment);
    if (recorded) return recorded;
    const gateway = this.gateways.get(payment.gateway);
    this.assertOutsideTransaction(gateway);
    return this.ask(botId, gateway, payment, language);
  }

  /**
   * The job that asks the gateway for `paymentId` gave up for good: a payment still waiting for its gateway answer
   * is failed (conditional: one the gateway already answered stays, its link may have been shown). Idempotent; true
   * when this call failed it. Whether the buyer is still to be told is read from the row (`wasAbandoned`), not from
   * this answer: a caller that failed after this call is called again and must still tell.
   */
  async abandon(botId: string, paymentId: string): Promise<boolean> {
    const n = await this.repos.gatewayPayments.update(
      botId,
      { id: paymentId, status: 'pending', externalId: IsNull() },
      { status: 'failed', failureReason: LINK_NOT_PREPARED_REASON },
    );
    return n > 0;
  }

  private async enabled(input: StartGatewayPaymentInput): Promise<PaymentGateway> {
    const gateway = this.gateways.get(input.gateway);
    if (!(await this.features.isEnabled(input.botId, gateway.featureKey))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, `${gateway.method} payments are off for this bot`);
    }
    return gateway;
  }

  private assertOutsideTransaction(gateway: PaymentGateway): void {
    if (this.db.current()) {
      throw new Error(
        `${gateway.method} must not be asked inside a transaction: use StartGatewayPaymentUseCase.request`,
      );
    }
  }

  /**
   * Registers the payment with the gateway and records its answer (only the first answer recorded counts). Null when
   * the payment stopped being pending while the gateway was asked (failed by a newer payment, expired): that
   * authority is never offered.
   */
  private async ask(
    botId: string,
    gateway: PaymentGateway,
    payment: GatewayPaymentEntity,
    language: string,
  ): Promise<StartedPayment | null> {
    let action: StartedGatewayPayment;
    try {
      action = await gateway.start({
        botId,
        payment,
        description: payment.orderId ? `Order ${payment.orderId}` : `Wallet top-up ${payment.id}`,
        language,
      });
    } catch (e) {
      const failed = await this.repos.gatewayPayments.update(
        botId,
        { id: payment.id, status: 'pending', externalId: IsNull() },
        { status: 'failed', failureReason: 'the gateway refused to start the payment' },
      );
      // Ended meanwhile (a newer payment for the order): there is nothing to show, the refusal included.
      if (!failed && (await this.repos.gatewayPayments.findById(botId, payment.id))?.status !== 'pending') return null;
      if (DomainError.is(e)) throw e;
      this.logger.warn({ botId, gateway: gateway.method, err: e }, 'gateway start failed');
      throw new DomainError(ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE, 'The payment gateway is not available now');
    }
    const url = action.kind === 'url' ? action.url : null;
    const recorded = await this.repos.gatewayPayments.update(
      botId,
      { id: payment.id, status: 'pending', externalId: IsNull() },
      { externalId: action.externalId, details: { ...payment.details, ...(action.details ?? {}), payUrl: url } },
    );
    const now = (await this.repos.gatewayPayments.findById(botId, payment.id))!;
    if (recorded || action.kind === 'invoice') return { payment: now, action };
    // Another attempt recorded its answer first: that one is shown; this authority is never offered. A payment that
    // is no longer pending has nothing to show.
    return now.status === 'pending' ? startedOf(now) : null;
  }

  /**
   * Writes the pending payment (or finds the one still open for this order); checks what is paid and by whom.
   * `screenMessageId`: the chat message the new payment's link will replace (a bot button's screen).
   */
  private open(
    input: StartGatewayPaymentInput,
    gateway: PaymentGateway,
    inFlight = false,
    screenMessageId: number | null = null,
  ): Promise<{ payment: GatewayPaymentEntity } | RequestedPayment> {
    const { botId } = input;
    return this.db.run(botId, async () => {
      let userId: string;
      let amountMinor: number;
      let currency: string;
      let orderId: string | null = null;
      let details: GatewayPaymentEntity['details'] = {};
      if (input.purpose === 'order') {
        const order = await this.repos.orders.findById(botId, input.orderId, 'pessimistic_write');
        if (!order || !mayActFor(input.by, order)) throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
        if (order.status !== 'pending') throw new DomainError(ErrorCode.ALREADY_PAID, `The order is ${order.status}`);
        if (order.amountMinor <= 0) throw new DomainError(ErrorCode.CONFLICT, 'A free order is not paid online');
        const reusable = await this.reusable(botId, order.id, gateway.method, inFlight);
        if (reusable) return reusable;
        // A new payment is opened: the ones still waiting for their gateway's answer are ended first (conditional,
        // under the order's lock), so a late answer for one records nothing and its link is never shown.
        // One that got its answer between the look above and this update keeps it, and is offered instead.
        // Payments already started are not ended: a link with less than REUSE_MARGIN_MS to live (no longer offered)
        // stays payable beside the new one until it expires, and so does an open Stars invoice (a gateway that
        // starts locally has no external id until it is paid, yet waits for no answer).
        await this.repos.gatewayPayments.update(
          botId,
          { orderId: order.id, status: 'pending', externalId: IsNull(), gateway: In(this.answeringGateways()) },
          { status: 'failed', failureReason: SUPERSEDED_REASON },
        );
        const answered = await this.reusable(botId, order.id, gateway.method, false);
        if (answered) return answered;
        ({ userId, amountMinor, currency } = order);
        orderId = order.id;
      } else {
        if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0 || input.amountMinor > MAX_MINOR) {
          throw new DomainError(ErrorCode.VALIDATION_FAILED, 'amountMinor must be a positive integer', [
            { field: 'amountMinor', errors: [`must be a positive integer up to ${MAX_MINOR}`] },
          ]);
        }
        const user = await this.repos.users.findById(botId, input.userId);
        if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
        const bot = await this.self.get(botId);
        if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
        userId = user.id;
        amountMinor = input.amountMinor;
        currency = bot.currency;
        if (input.forOrderId) details = { forOrderId: input.forOrderId };
      }
      const quote = await gateway.quote(botId, amountMinor, currency, orderId ? { orderId } : {});
      if (!quote) {
        throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, `${gateway.method} cannot take this amount`, {
          amountMinor,
          currency,
        });
      }
      const payment = await this.repos.gatewayPayments.insert(botId, {
        userId,
        gateway: gateway.method,
        purpose: input.purpose,
        orderId,
        amountMinor,
        currency,
        gatewayAmount: quote.gatewayAmount,
        gatewayUnit: quote.gatewayUnit,
        status: 'pending',
        details,
        screenMessageId,
        expiresAt: new Date(Date.now() + gateway.ttlMinutes * 60_000),
      });
      return { payment };
    });
  }

  /** The gateways whose payments wait for the gateway's answer (an external id) before they can be paid. */
  private answeringGateways(): string[] {
    return this.gateways
      .all()
      .filter((g) => !g.startsLocally)
      .map((g) => g.method);
  }

  /**
   * The order's open payment through this gateway, offered again: started (its URL) while it has time to live, or
   * (`inFlight`, a bot's second tap) just opened and still waiting for the gateway (its link is on its way).
   */
  private async reusable(
    botId: string,
    orderId: string,
    gateway: string,
    inFlight: boolean,
  ): Promise<RequestedPayment | null> {
    const open = await this.repos.gatewayPayments.find(botId, {
      where: { orderId, gateway, status: 'pending' },
      order: { createdAt: 'DESC' },
      take: 1,
    });
    const p = open[0];
    if (!p) return null;
    if (inFlight && !p.externalId && Date.now() - p.createdAt.getTime() < this.config.GATEWAY_PAYMENT_IN_FLIGHT_MS)
      return { payment: p, action: null };
    const started = startedOf(p);
    if (!started || p.expiresAt.getTime() - Date.now() < REUSE_MARGIN_MS) return null;
    return started;
  }
}

/** A payment whose gateway answered with a URL: that URL again. */
function startedOf(p: GatewayPaymentEntity): StartedPayment | null {
  const url = p.details.payUrl;
  if (!p.externalId || typeof url !== 'string') return null;
  return { payment: p, action: { kind: 'url', url, externalId: p.externalId } };
}
