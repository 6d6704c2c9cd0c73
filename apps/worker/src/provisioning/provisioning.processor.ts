import { Injectable, Logger, Optional } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { describeError } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { FinalFailureOutcome, JobName, JobPayloads, OnJob, OnJobFinalFailure } from '@botfleet/jobs';
import {
  isPermanentProvisioningError,
  provisioningFailureReason,
  ProvisioningJobKind,
  ProvisioningService,
  TrafficSyncService,
} from '@botfleet/provisioning';
import { OperatorAlertsService } from '@botfleet/operator';

type SubscriptionJob = JobPayloads[JobName.ProvisionSubscription];

/**
 * The jobs of the provisioning queue. Retries: `PROVISIONING_ATTEMPTS` with exponential backoff (queue
 * defaults, ≈ 1 h); an error `isPermanentProvisioningError` says no retry can fix ends the job at once.
 * When a provision or renewal fails for good (permanent error, last attempt, stalled too often) the job
 * runner calls its final-failure hook: `ProvisioningService.fail` marks the subscription failed and tells
 * the outcome port (the order failed, the money back, user and tenant told). `fail` is idempotent, and
 * answers `succeeded` when the work was in fact done, which completes the job instead. A switch-off or a
 * refunded order's take-back that fails for good is recorded (`disableFailed`) and the operator alerted.
 */
@Injectable()
export class ProvisioningProcessor {
  constructor(
    private readonly config: AppConfig,
    private readonly provisioning: ProvisioningService,
    private readonly traffic: TrafficSyncService,
    /** Tells the operator of a subscription that failed for good (the worker's OperatorAlertsModule). */
    @Optional() private readonly operatorAlerts?: OperatorAlertsService,
  ) {}

  private readonly logger = new Logger(ProvisioningProcessor.name);

  @OnJob({ name: JobName.ProvisionSubscription })
  provision({ botId, subscriptionId, orderId }: SubscriptionJob): Promise<unknown> {
    return permanentEndsTheJob(() => this.provisioning.provision(botId, subscriptionId, orderId));
  }

  @OnJobFinalFailure({ name: JobName.ProvisionSubscription })
  provisionFailed(job: SubscriptionJob, err: Error): Promise<FinalFailureOutcome> {
    return this.fail('provision', job, err);
  }

  @OnJob({ name: JobName.ExtendSubscription })
  extend({ botId, subscriptionId, orderId }: JobPayloads[JobName.ExtendSubscription]): Promise<unknown> {
    return permanentEndsTheJob(() => this.provisioning.extend(botId, subscriptionId, orderId));
  }

  @OnJobFinalFailure({ name: JobName.ExtendSubscription })
  extendFailed(job: JobPayloads[JobName.ExtendSubscription], err: Error): Promise<FinalFailureOutcome> {
    return this.fail('extend', job, err);
  }

  @OnJob({ name: JobName.DisableSubscription })
  disable({ botId, subscriptionId, reason, orderId }: JobPayloads[JobName.DisableSubscription]): Promise<unknown> {
    return permanentEndsTheJob(() => this.provisioning.disable(botId, subscriptionId, reason, orderId));
  }

  /**
   * A switch-off or a refunded order's take-back that ran out of attempts: recorded on the subscription
   * (ProvisioningService.disableFailed) and told to the operator; the sale sweep queues a take-back again
   * (UnfinishedTakeBacks) until its `taken_back` record exists.
   */
  @OnJobFinalFailure({ name: JobName.DisableSubscription })
  async disableFailed(job: JobPayloads[JobName.DisableSubscription], err: Error): Promise<FinalFailureOutcome> {
    const error = err instanceof UnrecoverableError ? err.message : provisioningFailureReason(err);
    const outcome = await this.provisioning.disableFailed(
      job.botId,
      job.subscriptionId,
      job.reason,
      job.orderId,
      error,
    );
    if (outcome === 'quiet') return 'failed';
    if (outcome === 'failed' && this.operatorAlerts) {
      await this.operatorAlerts
        .switchOffFailed(job.botId, job.subscriptionId, job.orderId ?? null)
        .catch((e: unknown) => this.logger.warn(`operator alert failed: ${describeError(e)}`));
    }
    return outcome;
  }

  @OnJob({ name: JobName.SyncPanelTraffic })
  syncTraffic({ panelId }: JobPayloads[JobName.SyncPanelTraffic]): Promise<unknown> {
    return this.traffic.syncAll(
      { concurrency: this.config.TRAFFIC_SYNC_CONCURRENCY, pauseMs: this.config.TRAFFIC_SYNC_PAUSE_MS },
      panelId,
    );
  }

  private async fail(kind: ProvisioningJobKind, job: SubscriptionJob, err: Error): Promise<'failed' | 'succeeded'> {
    // A permanent error arrives already as its reason (see permanentEndsTheJob).
    const reason = err instanceof UnrecoverableError ? err.message : provisioningFailureReason(err);
    const outcome = await this.provisioning.fail(job.botId, kind, job.subscriptionId, job.orderId, reason);
    if (outcome === 'failed' && this.operatorAlerts) {
      // Best effort: the periodic scan finds the failed subscription too, under the same once-key.
      await this.operatorAlerts
        .provisioningFailed(job.botId, job.subscriptionId)
        .catch((e: unknown) => this.logger.warn(`operator alert failed: ${describeError(e)}`));
    }
    return outcome;
  }
}

async function permanentEndsTheJob<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isPermanentProvisioningError(err)) throw new UnrecoverableError(provisioningFailureReason(err));
    throw err;
  }
}
