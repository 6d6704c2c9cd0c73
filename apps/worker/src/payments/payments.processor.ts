import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '@botfleet/common';
import { JobName, JobPayloads, OnJob, OnJobFinalFailure } from '@botfleet/jobs';
import {
  PaymentGateways,
  RECONCILE_LOOKBACK_MS,
  ReconcileGatewayPaymentsUseCase,
  StarsCheckout,
} from '@botfleet/payments';
import { GatewayPaymentDirectory } from '@botfleet/platform';
import { PaymentLinks, PaymentNotifications } from '@botfleet/telegram';

/**
 * Online payments in the worker: the buyer's news about a gateway payment, and the reconciler (a job scheduler,
 * job-schedules.ts) that visits every bot with payments that may still turn out paid — per gateway, through the
 * platform directory — and reconciles each in that bot's own tenant transactions. One bot failing does not stop
 * the others. A Telegram Stars refund our side refused for now is applied again (ApplyStarsRefund, retried with
 * backoff until the order settles); when the retries run out the shop's owner is told.
 */
@Injectable()
export class PaymentsProcessor {
  private readonly logger = new Logger(PaymentsProcessor.name);

  constructor(
    private readonly notices: PaymentNotifications,
    private readonly links: PaymentLinks,
    private readonly gateways: PaymentGateways,
    private readonly directory: GatewayPaymentDirectory,
    private readonly reconcile: ReconcileGatewayPaymentsUseCase,
    private readonly stars: StarsCheckout,
  ) {}

  @OnJob({ name: JobName.ApplyStarsRefund })
  applyStarsRefund(job: JobPayloads[JobName.ApplyStarsRefund]): Promise<unknown> {
    return this.stars.applyLater(job);
  }

  @OnJobFinalFailure({ name: JobName.ApplyStarsRefund })
  async starsRefundGaveUp(job: JobPayloads[JobName.ApplyStarsRefund]): Promise<'failed'> {
    await this.stars.gaveUp(job);
    return 'failed';
  }

  @OnJob({ name: JobName.PaymentNotification })
  notify(job: JobPayloads[JobName.PaymentNotification]): Promise<void> {
    return this.notices.handle(job);
  }

  /** The gateway asked for a payment a bot opened, after the update committed; the buyer shown where to pay. */
  @OnJob({ name: JobName.StartGatewayPayment })
  startPayment(job: JobPayloads[JobName.StartGatewayPayment]): Promise<void> {
    return this.links.handle(job);
  }

  /** The link could not be prepared within the job's retries: the payment is failed and the buyer told. */
  @OnJobFinalFailure({ name: JobName.StartGatewayPayment })
  async startPaymentGaveUp(job: JobPayloads[JobName.StartGatewayPayment]): Promise<void> {
    await this.links.gaveUp(job);
  }

  @OnJob({ name: JobName.ReconcileGatewayPayments })
  async reconcileAll(): Promise<{ bots: number; settled: number; expired: number }> {
    const now = new Date();
    let bots = 0;
    let settled = 0;
    let expired = 0;
    for (const gateway of this.gateways.all()) {
      const since = new Date(now.getTime() - RECONCILE_LOOKBACK_MS);
      for (const botId of await this.directory.botsToReconcile(gateway.method, since)) {
        bots++;
        try {
          const r = await this.reconcile.execute({ botId, gateway: gateway.method, now });
          settled += r.settled.length;
          expired += r.expired.length;
        } catch (e) {
          this.logger.warn({ botId, gateway: gateway.method, err: describeError(e) }, 'reconcile failed for a bot');
        }
      }
    }
    return { bots, settled, expired };
  }
}
