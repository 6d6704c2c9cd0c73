import { Injectable, Logger } from '@nestjs/common';
import { In, MoreThanOrEqual } from 'typeorm';
import { describeError, DomainError } from '@botfleet/common';
import { TenantRepositories } from '@botfleet/dal';
import { StarsCheckout } from '../gateways/stars/stars-checkout.service';
import { STARS_METHOD } from '../gateways/stars/stars.gateway';
import { PaymentGateways } from '../payment-gateways';
import { ConfirmGatewayPaymentUseCase } from './confirm-gateway-payment.use-case';
import { ExpireGatewayPaymentsUseCase } from './expire-gateway-payments.use-case';

export interface ReconcileInput {
  botId: string;
  gateway: string;
  now?: Date;
}

export interface ReconcileResult {
  settled: string[];
  expired: string[];
  /** Telegram Stars refunds still pending whose job was lost or failed for good: queued again or finished. */
  refundsResumed: string[];
}

/** How far back a failed or expired payment is still looked for in the gateway's "paid but unverified" list. */
export const RECONCILE_LOOKBACK_MS = 24 * 3600_000;
/** At most this many open payments are verified per bot and run (the rest wait for the next run). */
const MAX_VERIFIES = 50;

/**
 * For a customer whose browser never came back, and for a crash between "the gateway says paid" and "the order is
 * paid": per bot, (1) the payments the gateway lists as paid-but-unverified are confirmed (verify → settle once;
 * a payment that had failed or expired is settled too — late money goes to the wallet when the order closed),
 * (2) every still-pending payment is verified (Zarinpal answers 101 for one verified before a crash: it is settled
 * now, once), (3) pending payments past their deadline expire. A gateway that cannot be reached is logged and
 * left for the next run; nothing changes for it. A payment that fails to reconcile is logged and skipped: the bot's
 * other payments still are. For Telegram Stars, (4) refunds our side refused for now and whose ApplyStarsRefund job
 * is gone are taken up again (StarsCheckout.resumeRefunds).
 */
@Injectable()
export class ReconcileGatewayPaymentsUseCase {
  private readonly logger = new Logger(ReconcileGatewayPaymentsUseCase.name);

  constructor(
    private readonly repos: TenantRepositories,
    private readonly gateways: PaymentGateways,
    private readonly confirm: ConfirmGatewayPaymentUseCase,
    private readonly expire: ExpireGatewayPaymentsUseCase,
    private readonly stars: StarsCheckout,
  ) {}

  async execute({ botId, gateway: method, now = new Date() }: ReconcileInput): Promise<ReconcileResult> {
    const gateway = this.gateways.get(method);
    const settled: string[] = [];
    const listed = new Set<string>();
    if (gateway.unconfirmed) {
      try {
        for (const id of await gateway.unconfirmed(botId)) listed.add(id);
      } catch (e) {
        this.logger.warn({ botId, gateway: method, err: describeError(e) }, 'unconfirmed list not available');
      }
    }
    const since = new Date(now.getTime() - RECONCILE_LOOKBACK_MS);
    const candidates = await this.repos.gatewayPayments.find(botId, {
      where: [
        { gateway: method, status: 'pending' },
        ...(listed.size
          ? [
              {
                gateway: method,
                status: In(['failed', 'expired']),
                externalId: In([...listed]),
                updatedAt: MoreThanOrEqual(since),
              },
            ]
          : []),
      ],
      order: { createdAt: 'ASC' },
      take: MAX_VERIFIES,
    });
    for (const p of candidates) {
      if (!p.externalId) continue;
      try {
        const r = await this.confirm.execute({ botId, paymentId: p.id, failIfUnpaid: false });
        if (r.outcome === 'paid') settled.push(p.id);
      } catch (e) {
        // One payment's failure (a refusal, a row held too long, a broken row) is this payment's only: logged, and
        // the bot's other payments are still reconciled; this one is tried again next run.
        if (DomainError.is(e)) {
          this.logger.warn({ botId, paymentId: p.id, code: e.code }, 'reconcile: payment not confirmed this run');
        } else {
          this.logger.error({ botId, paymentId: p.id, err: describeError(e) }, 'reconcile: payment check failed');
        }
      }
    }
    const expired = await this.expire.execute({ botId, gateway: method, now, keep: listed });
    const refundsResumed = method === STARS_METHOD ? await this.stars.resumeRefunds(botId, now) : [];
    if (settled.length || expired.length || refundsResumed.length) {
      const counts = { settled: settled.length, expired: expired.length, refundsResumed: refundsResumed.length };
      this.logger.log({ botId, gateway: method, ...counts }, 'reconciled');
    }
    return { settled, expired, refundsResumed };
  }
}
