import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { AppConfig } from '@botfleet/config';
import { JobName, JobPayloads, QueueName } from '@botfleet/jobs';
import {
  isPermanentProvisioningError,
  provisioningFailureReason,
  ProvisioningJobKind,
  ProvisioningService,
  TrafficSyncService,
} from '@botfleet/provisioning';

/** Id of the repeatable traffic sync; one per deployment however many workers run. */
export const TRAFFIC_SYNC_SCHEDULER_ID = 'traffic-sync';

type ProvisioningJobName =
  JobName.ProvisionSubscription | JobName.ExtendSubscription | JobName.DisableSubscription | JobName.SyncPanelTraffic;
type ProvisioningJob = Job<JobPayloads[ProvisioningJobName], unknown, string>;

/** The job gave up and its failure is recorded: nothing is left for the `failed` listeners to do. */
class ProvisioningGaveUp extends UnrecoverableError {}

const STALLED_TOO_OFTEN = 'stalled more than allowable limit';

/**
 * The one consumer of the provisioning queue (one BullMQ worker per queue: a second one would receive
 * jobs of every name). Built here rather than with `@Processor` so that concurrency and the job lock come
 * from the validated config: the lock decides how soon a job whose worker was killed runs again.
 *
 * Retries: `PROVISIONING_ATTEMPTS` with exponential backoff (queue defaults, ≈ 1 h). An error
 * `isPermanentProvisioningError` says no retry can fix ends the job at once (UnrecoverableError). When a
 * provision or renewal gives up (permanent error or last attempt) `ProvisioningService.fail` marks it and
 * tells the outcome port. Two listeners cover jobs that fail for good without getting there: the worker's
 * `failed` event (recording the failure itself threw on the last attempt) and the queue's `failed` event
 * for jobs BullMQ fails because they stalled too often (their workers kept dying). `fail` is idempotent,
 * so several workers hearing the same event is harmless.
 */
@Injectable()
export class ProvisioningProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProvisioningProcessor.name);
  private worker?: Worker;
  private events?: QueueEvents;

  constructor(
    @InjectQueue(QueueName.Provisioning) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly provisioning: ProvisioningService,
    private readonly traffic: TrafficSyncService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const worker = new Worker(QueueName.Provisioning, (job: ProvisioningJob) => this.process(job), {
      connection: this.queue.opts.connection,
      prefix: this.queue.opts.prefix,
      concurrency: this.config.PROVISIONING_CONCURRENCY,
      lockDuration: this.config.PROVISIONING_LOCK_MS,
      stalledInterval: this.config.PROVISIONING_LOCK_MS,
      // A job whose worker dies is picked up again; only a job that keeps killing workers is failed.
      maxStalledCount: 3,
    });
    worker.on('failed', (job, err) => void this.afterFailure(job, err));
    worker.on('error', (err) => this.logger.warn(`provisioning worker: ${err.name}: ${err.message}`));
    this.worker = worker;
    const events = new QueueEvents(QueueName.Provisioning, {
      connection: this.queue.opts.connection,
      prefix: this.queue.opts.prefix,
    });
    events.on('failed', ({ jobId, failedReason }) => {
      if (!failedReason?.includes(STALLED_TOO_OFTEN)) return;
      void Job.fromId<JobPayloads[ProvisioningJobName], unknown, string>(this.queue, jobId).then(
        (job) => job && this.afterFailure(job, new UnrecoverableError(failedReason)),
        () => undefined,
      );
    });
    events.on('error', (err) => this.logger.warn(`provisioning events: ${err.name}: ${err.message}`));
    this.events = events;
    await this.scheduleTrafficSync();
  }

  async onApplicationShutdown(): Promise<void> {
    // Waits for running jobs; a job cut off anyway is taken up again after its lock expires.
    await this.worker?.close();
    await this.events?.close();
  }

  async process(job: ProvisioningJob): Promise<unknown> {
    switch (job.name) {
      case JobName.ProvisionSubscription: {
        const { botId, subscriptionId, orderId } = job.data as JobPayloads[JobName.ProvisionSubscription];
        return this.settle(job, 'provision', () => this.provisioning.provision(botId, subscriptionId, orderId));
      }
      case JobName.ExtendSubscription: {
        const { botId, subscriptionId, orderId } = job.data as JobPayloads[JobName.ExtendSubscription];
        return this.settle(job, 'extend', () => this.provisioning.extend(botId, subscriptionId, orderId));
      }
      case JobName.DisableSubscription: {
        const { botId, subscriptionId, reason } = job.data as JobPayloads[JobName.DisableSubscription];
        try {
          return await this.provisioning.disable(botId, subscriptionId, reason);
        } catch (err) {
          if (isPermanentProvisioningError(err)) throw new UnrecoverableError(provisioningFailureReason(err));
          throw err;
        }
      }
      case JobName.SyncPanelTraffic: {
        const { panelId } = job.data as JobPayloads[JobName.SyncPanelTraffic];
        return this.traffic.syncAll(
          { concurrency: this.config.TRAFFIC_SYNC_CONCURRENCY, pauseMs: this.config.TRAFFIC_SYNC_PAUSE_MS },
          panelId,
        );
      }
      default:
        throw new UnrecoverableError(`The provisioning queue has no handler for job ${job.name}`);
    }
  }

  private async settle(job: ProvisioningJob, kind: ProvisioningJobKind, work: () => Promise<unknown>) {
    try {
      return await work();
    } catch (err) {
      const permanent = isPermanentProvisioningError(err);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const reason = provisioningFailureReason(err);
      if (!permanent && !lastAttempt) {
        this.logger.warn(`${job.name} ${job.id} attempt ${job.attemptsMade + 1} failed, will retry: ${reason}`);
        throw err;
      }
      const { botId, subscriptionId, orderId } = job.data as JobPayloads[JobName.ProvisionSubscription];
      const settled = await this.provisioning.fail(botId, kind, subscriptionId, orderId, reason);
      if (settled === 'succeeded') return { settled };
      throw new ProvisioningGaveUp(reason);
    }
  }

  /** For jobs that failed for good without passing through `settle` (stalled too often, a crash in `fail`). */
  private async afterFailure(job: ProvisioningJob | undefined, err: Error): Promise<void> {
    if (!job || err instanceof ProvisioningGaveUp) return;
    const kind: ProvisioningJobKind | null =
      job.name === JobName.ProvisionSubscription
        ? 'provision'
        : job.name === JobName.ExtendSubscription
          ? 'extend'
          : null;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final) return;
    if (!kind) {
      this.logger.warn(`${job.name} ${job.id} failed for good: ${err.message}`);
      return;
    }
    const { botId, subscriptionId, orderId } = job.data as JobPayloads[JobName.ProvisionSubscription];
    try {
      await this.provisioning.fail(botId, kind, subscriptionId, orderId, provisioningFailureReason(err));
    } catch (e) {
      this.logger.error(
        `${job.name} ${job.id}: could not record the failure of bot ${botId} subscription ${subscriptionId}: ${provisioningFailureReason(e)}`,
      );
    }
  }

  private async scheduleTrafficSync(): Promise<void> {
    const every = this.config.TRAFFIC_SYNC_INTERVAL_MS;
    if (every <= 0) {
      await this.queue.removeJobScheduler(TRAFFIC_SYNC_SCHEDULER_ID);
      return;
    }
    await this.queue.upsertJobScheduler(
      TRAFFIC_SYNC_SCHEDULER_ID,
      { every },
      {
        name: JobName.SyncPanelTraffic,
        data: {},
        // A missed round is simply the next one; a sync is never retried on its own.
        opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
  }
}
