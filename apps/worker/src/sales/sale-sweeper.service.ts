import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@botfleet/config';
import { JobName, OnJob } from '@botfleet/jobs';
import { SaleSweeps } from '@botfleet/platform';
import { ExpireCardPaymentsUseCase, FulfilmentService } from '@botfleet/sales';
import { JobOutboxRelay } from './job-outbox-relay';

export interface SaleSweepReport {
  relayed: number;
  expired: number;
  requeued: number;
}

/**
 * The sale's clock, a periodic job (every `SALE_SWEEP_INTERVAL_MS`, one run per interval across workers):
 * job outbox rows left by a process that died between its commit and queueing are relayed, card payments
 * past their deadline expire (user told, hold released), and paid orders whose provisioning job was lost
 * get it queued again under the same job id. One bot's failure does not stop the others.
 */
@Injectable()
export class SaleSweeper {
  private readonly logger = new Logger(SaleSweeper.name);

  constructor(
    private readonly config: AppConfig,
    private readonly sweeps: SaleSweeps,
    private readonly expireCardPayments: ExpireCardPaymentsUseCase,
    private readonly fulfilment: FulfilmentService,
    private readonly relay: JobOutboxRelay,
  ) {}

  @OnJob({ name: JobName.SweepSales })
  async sweep(): Promise<SaleSweepReport> {
    const now = new Date();
    let relayed = 0;
    let expired = 0;
    let requeued = 0;
    try {
      relayed = await this.relay.relayStale(this.config.OUTBOX_RELAY_AFTER_MS, now);
    } catch (err) {
      this.logger.error({ err }, 'relaying the job outbox failed');
    }
    for (const botId of await this.sweeps.botsWithDuePayments(now)) {
      try {
        expired += (await this.expireCardPayments.execute({ botId, now })).length;
      } catch (err) {
        this.logger.error({ err, botId }, 'expiring card payments failed');
      }
    }
    for (const { botId, orderId } of await this.sweeps.stuckFulfilments(this.config.FULFILMENT_STUCK_AFTER_MS, now)) {
      try {
        await this.fulfilment.enqueue(botId, orderId);
        requeued++;
      } catch (err) {
        this.logger.error({ err, botId }, 're-queueing a fulfilment failed');
      }
    }
    return { relayed, expired, requeued };
  }
}
