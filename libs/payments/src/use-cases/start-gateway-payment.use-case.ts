import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode, MAX_MINOR } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import { BotSelfRepository, GatewayPaymentEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
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
  | { purpose: 'topup'; userId: string; amountMinor: number }
);

export interface StartedPayment {
  payment: GatewayPaymentEntity;
  /** What the bot shows: a URL to open or an invoice to send. */
  action: StartedGatewayPayment;
}

/** An open payment is offered again (same URL) while it has at least this long to live. */
const REUSE_MARGIN_MS = 5 * 60_000;

/**
 * Starts paying an order (or a wallet top-up) through a gateway: the gateway must be enabled for the bot and able
 * to take the amount; a payment row is written `pending` first (so the gateway's answer always has a row to land
 * on), then the gateway is asked (outside any transaction: no lock is held over HTTP) and its id is recorded. A
 * buyer who taps the button again while the payment is still open gets the same payment back. A gateway that
 * cannot be reached leaves the payment `failed` and answers PAYMENT_GATEWAY_UNAVAILABLE.
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
  ) {}

  async execute(input: StartGatewayPaymentInput): Promise<StartedPayment> {
    const { botId } = input;
    const gateway = this.gateways.get(input.gateway);
    if (!(await this.features.isEnabled(botId, gateway.featureKey))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, `${gateway.method} payments are off for this bot`);
    }
    const opened = await this.open(input, gateway);
    if ('action' in opened) return opened;
    const payment = opened.payment;
    let action: StartedGatewayPayment;
    try {
      action = await gateway.start({
        botId,
        payment,
        description: input.purpose === 'order' ? `Order ${payment.orderId}` : `Wallet top-up ${payment.id}`,
        language: input.language,
      });
    } catch (e) {
      await this.repos.gatewayPayments.update(
        botId,
        { id: payment.id, status: 'pending' },
        { status: 'failed', failureReason: 'the gateway refused to start the payment' },
      );
      if (DomainError.is(e)) throw e;
      this.logger.warn({ botId, gateway: gateway.method, err: e }, 'gateway start failed');
      throw new DomainError(ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE, 'The payment gateway is not available now');
    }
    const url = action.kind === 'url' ? action.url : null;
    await this.repos.gatewayPayments.update(
      botId,
      { id: payment.id, status: 'pending' },
      { externalId: action.externalId, details: { ...payment.details, ...(action.details ?? {}), payUrl: url } },
    );
    return { payment: (await this.repos.gatewayPayments.findById(botId, payment.id))!, action };
  }

  /** Writes the pending payment (or finds the one still open for this order); checks what is paid and by whom. */
  private open(
    input: StartGatewayPaymentInput,
    gateway: PaymentGateway,
  ): Promise<{ payment: GatewayPaymentEntity } | StartedPayment> {
    const { botId } = input;
    return this.db.run(botId, async () => {
      let userId: string;
      let amountMinor: number;
      let currency: string;
      let orderId: string | null = null;
      if (input.purpose === 'order') {
        const order = await this.repos.orders.findById(botId, input.orderId, 'pessimistic_write');
        if (!order || !mayActFor(input.by, order)) throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
        if (order.status !== 'pending') throw new DomainError(ErrorCode.ALREADY_PAID, `The order is ${order.status}`);
        if (order.amountMinor <= 0) throw new DomainError(ErrorCode.CONFLICT, 'A free order is not paid online');
        const reusable = await this.reusable(botId, order.id, gateway.method);
        if (reusable) return reusable;
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
        details: {},
        expiresAt: new Date(Date.now() + gateway.ttlMinutes * 60_000),
      });
      return { payment };
    });
  }

  private async reusable(botId: string, orderId: string, gateway: string): Promise<StartedPayment | null> {
    const open = await this.repos.gatewayPayments.find(botId, {
      where: { orderId, gateway, status: 'pending' },
      order: { createdAt: 'DESC' },
      take: 1,
    });
    const p = open[0];
    const url = p?.details.payUrl;
    if (!p || !p.externalId || typeof url !== 'string') return null;
    if (p.expiresAt.getTime() - Date.now() < REUSE_MARGIN_MS) return null;
    return { payment: p, action: { kind: 'url', url, externalId: p.externalId } };
  }
}
