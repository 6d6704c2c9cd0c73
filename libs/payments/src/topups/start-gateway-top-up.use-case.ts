import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import { TenantRepositories } from '@botfleet/dal';
import { StartedPayment, StartGatewayPaymentUseCase } from '../use-cases/start-gateway-payment.use-case';
import { TopUpOptions } from './top-up-options.service';
import { assertTopUpAmount } from './top-up-rules';

export interface StartGatewayTopUpInput {
  botId: string;
  userId: string;
  /** The gateway's name (`zarinpal` …). */
  gateway: string;
  amountMinor: number;
  /** The user's pending order the top-up is for; offered to be paid from the wallet once credited. */
  forOrderId?: string | null;
  /** The buyer's language (gateways that show a page use it). */
  language: string;
}

/**
 * A wallet top-up through an online gateway: the wallet's rules first (the feature on, the amount within the
 * tenant's limits, the order — if any — the user's own and pending; nothing is written otherwise), then the
 * payments port's StartGatewayPaymentUseCase with purpose `topup`. Its settlement deposits once, keyed
 * `<gateway>:<external_id>` (SettleGatewayPaymentUseCase). The order it was started for is kept in the payment's
 * details (`forOrderId`), before the customer is shown where to pay, so the credit notice can offer to pay it.
 */
@Injectable()
export class StartGatewayTopUpUseCase {
  constructor(
    private readonly repos: TenantRepositories,
    private readonly features: FeaturesService,
    private readonly options: TopUpOptions,
    private readonly startPayment: StartGatewayPaymentUseCase,
  ) {}

  async execute({
    botId,
    userId,
    gateway,
    amountMinor,
    forOrderId = null,
    language,
  }: StartGatewayTopUpInput): Promise<StartedPayment> {
    if (!(await this.features.isEnabled(botId, 'wallet'))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'The wallet is off for this bot');
    }
    assertTopUpAmount(amountMinor, await this.options.limits(botId));
    if (forOrderId) {
      const order = await this.repos.orders.findOne(botId, { id: forOrderId, userId });
      if (!order) throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
      if (order.status !== 'pending') throw new DomainError(ErrorCode.ALREADY_PAID, `The order is ${order.status}`);
    }
    const started = await this.startPayment.execute({
      botId,
      gateway,
      language,
      purpose: 'topup',
      userId,
      amountMinor,
    });
    if (!forOrderId || started.payment.details.forOrderId === forOrderId) return started;
    const details = { ...started.payment.details, forOrderId };
    await this.repos.gatewayPayments.update(botId, { id: started.payment.id, status: 'pending' }, { details });
    return { ...started, payment: { ...started.payment, details } };
  }
}
