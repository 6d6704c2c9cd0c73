import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import {
  LinkDelivery,
  RequestedPayment,
  StartedPayment,
  StartGatewayPaymentInput,
  StartGatewayPaymentUseCase,
} from '../use-cases/start-gateway-payment.use-case';
import { TopUpOptions } from './top-up-options.service';
import { WalletQueries } from './wallet-queries.service';
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
 * details (`forOrderId`), written with the payment, so the credit notice can offer to pay it.
 */
@Injectable()
export class StartGatewayTopUpUseCase {
  constructor(
    private readonly wallet: WalletQueries,
    private readonly features: FeaturesService,
    private readonly options: TopUpOptions,
    private readonly startPayment: StartGatewayPaymentUseCase,
  ) {}

  /** For callers outside a transaction (the API): the gateway is asked now and its page returned. */
  async execute(input: StartGatewayTopUpInput): Promise<StartedPayment> {
    return this.startPayment.execute(await this.checked(input));
  }

  /**
   * For a bot update (inside its transaction): the payment is opened with the update and the gateway asked after it
   * commits; the link comes in a message (StartGatewayPaymentUseCase.request). Stars' invoice is returned at once.
   */
  async request(input: StartGatewayTopUpInput, delivery: LinkDelivery = {}): Promise<RequestedPayment> {
    return this.startPayment.request(await this.checked(input), delivery);
  }

  private async checked({
    botId,
    userId,
    gateway,
    amountMinor,
    forOrderId = null,
    language,
  }: StartGatewayTopUpInput): Promise<StartGatewayPaymentInput> {
    if (!(await this.features.isEnabled(botId, 'wallet'))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'The wallet is off for this bot');
    }
    assertTopUpAmount(amountMinor, await this.options.limits(botId));
    if (forOrderId) await this.wallet.orderToTopUpFor(botId, userId, forOrderId);
    return { botId, gateway, language, purpose: 'topup', userId, amountMinor, forOrderId };
  }
}
