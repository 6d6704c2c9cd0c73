import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@botfleet/config';
import { JobName, OnJob } from '@botfleet/jobs';
import { SaleSweeps } from '@botfleet/platform';
import {
  ExpireCardPaymentsUseCase,
  ExpirePendingOrdersUseCase,
  RemindReviewsUseCase,
  REVIEW_REMINDERS,
} from '@botfleet/sales';
import { StuckFulfilments } from '../provisioning/stuck-fulfilments';
import { TAKE_BACK_SWEEP_LOOKBACK_MS, UnfinishedTakeBacks } from '../provisioning/unfinished-take-backs';
import { JobOutboxRelay } from './job-outbox-relay';

export interface SaleSweepReport {
  relayed: number;
  expired: number;
  /** Pending orders nobody paid before their deadline (hold released). */
  ordersExpired: number;
  /** Review reminders sent about receipts waiting for a decision. */
  reminded: number;
  requeued: number;
  /** Refunded orders whose take-back was lost or gave up, queued again. */
  takeBacksRequeued: number;
}

/**
 * The sale's clock, a periodic job (every `SALE_SWEEP_INTERVAL_MS`, one run per interval across workers):
 * job outbox rows left by a process that died between its commit and queueing are relayed, card payments
 * past their deadline without a receipt expire (user told, hold released), pending orders nobody pays expire at
 * `ORDER_PAYMENT_TIMEOUT_MINUTES` (hold released), receipts under review remind their reviewers, and paid orders that have not moved
 * are finished whatever their provisioning job was left in (StuckFulfilments: re-queued, or its final failure
 * recorded), and refunded orders whose take-back has no `taken_back` record after FULFILMENT_STUCK_AFTER_MS
 * (within TAKE_BACK_SWEEP_LOOKBACK_MS) get their DisableSubscription queued again (UnfinishedTakeBacks, same job
 * id). One bot's failure does not stop the others.
 */
@Injectable()
export class SaleSweeper {
  private readonly logger = new Logger(SaleSweeper.name);

  constructor(
    private readonly config: AppConfig,
    private readonly sweeps: SaleSweeps,
    private readonly expireCardPayments: ExpireCardPaymentsUseCase,
    private readonly expirePendingOrders: ExpirePendingOrdersUseCase,
    private readonly remindReviews: RemindReviewsUseCase,
    private readonly stuck: StuckFulfilments,
    private readonly relay: JobOutboxRelay,
    private readonly takeBacks: UnfinishedTakeBacks,
  ) {}

  @OnJob({ name: JobName.SweepSales })
  sweep(): Promise<SaleSweepReport> {
    return this.sweepAt(new Date());
  }

  /** One round as of `now` (tests move the clock with it). */
  async sweepAt(now: Date): Promise<SaleSweepReport> {
    let relayed = 0;
    let expired = 0;
    let ordersExpired = 0;
    let reminded = 0;
    let requeued = 0;
    let takeBacksRequeued = 0;
    try {
      relayed = await this.relay.relayStale(this.config.OUTBOX_RELAY_AFTER_MS, now);
    } catch (err) {
      this.logger.error({ err }, 'relaying the job outbox failed');
    }
    for (const botId of await this.find('card payments', () => this.sweeps.botsWithDuePayments(now))) {
      try {
        expired += (await this.expireCardPayments.execute({ botId, now })).length;
      } catch (err) {
        this.logger.error({ err, botId }, 'expiring card payments failed');
      }
    }
    const cutoff = new Date(now.getTime() - this.config.ORDER_PAYMENT_TIMEOUT_MINUTES * 60_000);
    for (const botId of await this.find('pending orders', () => this.sweeps.botsWithOverdueOrders(cutoff))) {
      try {
        ordersExpired += (await this.expirePendingOrders.execute({ botId, now })).length;
      } catch (err) {
        this.logger.error({ err, botId }, 'expiring pending orders failed');
      }
    }
    const firstReminder = new Date(now.getTime() - REVIEW_REMINDERS[0].afterMinutes * 60_000);
    const waiting = () => this.sweeps.botsWithReviewsWaiting(firstReminder, REVIEW_REMINDERS.length);
    for (const botId of await this.find('reviews waiting', waiting)) {
      try {
        reminded += await this.remindReviews.execute({ botId, now });
      } catch (err) {
        this.logger.error({ err, botId }, 'reminding reviewers failed');
      }
    }
    const stuck = () => this.sweeps.stuckFulfilments(this.config.FULFILMENT_STUCK_AFTER_MS, now);
    for (const { botId, orderId } of await this.find('stuck fulfilments', stuck)) {
      try {
        // Whatever its job was left in: still running, lost, failed without its failure recorded, done unrecorded.
        const outcome = await this.stuck.finish(botId, orderId);
        if (outcome === 'requeued' || outcome === 'finished') requeued++;
      } catch (err) {
        this.logger.error({ err, botId }, 're-queueing a fulfilment failed');
      }
    }
    const unfinished = () =>
      this.sweeps.unfinishedTakeBacks(this.config.FULFILMENT_STUCK_AFTER_MS, TAKE_BACK_SWEEP_LOOKBACK_MS, now);
    for (const { botId, orderId, subscriptionId } of await this.find('unfinished take-backs', unfinished)) {
      try {
        if ((await this.takeBacks.requeue(botId, subscriptionId, orderId)) === 'requeued') takeBacksRequeued++;
      } catch (err) {
        this.logger.error({ err, botId }, 're-queueing a take-back failed');
      }
    }
    return { relayed, expired, ordersExpired, reminded, requeued, takeBacksRequeued };
  }

  /** One step's lookup failing (a bad row, a timeout) must not stop the steps after it. */
  private async find<T>(what: string, lookup: () => Promise<T[]>): Promise<T[]> {
    try {
      return await lookup();
    } catch (err) {
      this.logger.error({ err }, `finding ${what} failed`);
      return [];
    }
  }
}
