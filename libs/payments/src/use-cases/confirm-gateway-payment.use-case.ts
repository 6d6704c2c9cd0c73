import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { GatewayPaymentEntity, TenantRepositories } from '@botfleet/dal';
import { PaymentGateways } from '../payment-gateways';
import { SettleGatewayPaymentUseCase } from './settle-gateway-payment.use-case';

export interface ConfirmGatewayPaymentInput {
  botId: string;
  paymentId: string;
  /**
   * What a "not paid" verdict does: the customer came back saying they paid (a callback) → the payment failed;
   * the reconciler asking on its own (false) → it stays pending until its deadline.
   */
  failIfUnpaid?: boolean;
}

/**
 * - `paid`: this call settled it now; `already_paid`: it was settled before (a replay, a concurrent callback);
 * - `pending`: the gateway has no money for it yet; `failed`: it will not be paid; `refunded`: paid, then refunded.
 */
export type ConfirmOutcome = 'paid' | 'already_paid' | 'pending' | 'failed' | 'refunded';

export interface ConfirmResult {
  outcome: ConfirmOutcome;
  payment: GatewayPaymentEntity;
}

/**
 * "The customer says they paid" (a gateway's callback, the reconciler): the gateway is asked with the amount from
 * our database (never what the callback claims), and only a `paid` answer settles — through
 * SettleGatewayPaymentUseCase, once. The gateway call holds no lock and no transaction; settling again after a
 * crash between the two is what the reconciler does.
 */
@Injectable()
export class ConfirmGatewayPaymentUseCase {
  private readonly logger = new Logger(ConfirmGatewayPaymentUseCase.name);

  constructor(
    private readonly repos: TenantRepositories,
    private readonly gateways: PaymentGateways,
    private readonly settle: SettleGatewayPaymentUseCase,
  ) {}

  async execute({ botId, paymentId, failIfUnpaid = true }: ConfirmGatewayPaymentInput): Promise<ConfirmResult> {
    const payment = await this.repos.gatewayPayments.findById(botId, paymentId);
    if (!payment) throw new DomainError(ErrorCode.NOT_FOUND, 'Payment not found');
    if (payment.status === 'paid') return { outcome: 'already_paid', payment };
    if (payment.status === 'refunded') return { outcome: 'refunded', payment };
    if (!payment.externalId) return { outcome: 'pending', payment };
    const verdict = await this.gateways.get(payment.gateway).verify(botId, payment);
    switch (verdict.status) {
      case 'paid': {
        const r = await this.settle.execute({
          botId,
          paymentId,
          gatewayRef: verdict.gatewayRef,
          details: verdict.details,
        });
        const outcome = r.applied ? 'paid' : r.payment.status === 'refunded' ? 'refunded' : 'already_paid';
        return { outcome, payment: r.payment };
      }
      case 'pending':
        return { outcome: 'pending', payment };
      case 'expired':
        return { outcome: 'failed', payment: await this.fail(botId, payment, 'expired at the gateway', 'expired') };
      case 'failed':
        if (!failIfUnpaid) return { outcome: 'pending', payment };
        return { outcome: 'failed', payment: await this.fail(botId, payment, verdict.reason) };
    }
  }

  /** The customer came back without paying (Zarinpal's `Status=NOK`): the payment failed; nothing else changes. */
  async cancelled(botId: string, paymentId: string): Promise<ConfirmResult> {
    const payment = await this.repos.gatewayPayments.findById(botId, paymentId);
    if (!payment) throw new DomainError(ErrorCode.NOT_FOUND, 'Payment not found');
    if (payment.status === 'paid') return { outcome: 'already_paid', payment };
    if (payment.status === 'refunded') return { outcome: 'refunded', payment };
    return { outcome: 'failed', payment: await this.fail(botId, payment, 'cancelled by the customer') };
  }

  private async fail(
    botId: string,
    payment: GatewayPaymentEntity,
    reason: string,
    status: 'failed' | 'expired' = 'failed',
  ): Promise<GatewayPaymentEntity> {
    const changed = await this.repos.gatewayPayments.update(
      botId,
      { id: payment.id, status: 'pending' },
      { status, failureReason: reason.slice(0, 500) },
    );
    if (changed) this.logger.log({ botId, paymentId: payment.id, reason }, 'gateway payment failed');
    return (await this.repos.gatewayPayments.findById(botId, payment.id))!;
  }
}
