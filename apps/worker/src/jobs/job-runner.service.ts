import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import {
  DelayedError,
  Job,
  QueueEvents,
  RateLimitError,
  UnrecoverableError,
  WaitingChildrenError,
  Worker,
} from 'bullmq';
import { describeError } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { JOB_QUEUE, JobName, JobQueue, QueueName } from '@botfleet/jobs';
import { JobHandlerRegistry } from './job-handler-registry';
import { countQueueJobsWith, jobsFailedForGood } from './job-metrics';
import { JOB_SCHEDULES, SCHEDULED_JOB_OPTIONS } from './job-schedules';
import { queueWorkerOptions } from './queue-worker-options';

/** How long a job whose name this build does not know waits before it is looked at again. */
export const UNKNOWN_JOB_RETRY_MS = 5 * 60_000;

/** BullMQ's reason for a job that kept killing its workers; such a job never reaches the `failed` listener. */
const STALLED_TOO_OFTEN = 'stalled more than allowable limit';

/** The job failed for good and its final-failure hook ran: nothing is left for the `failed` listener. */
export class JobGaveUp extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'JobGaveUp';
  }
}

/**
 * Runs every queue job of the worker: one BullMQ `Worker` per queue (options from the config), each job
 * dispatched by name to its `@OnJob` handler, and the platform's periodic jobs kept as job schedulers.
 *
 * One policy for a job that fails for good, whatever the queue: on its last attempt (or an
 * `UnrecoverableError`) the `@OnJobFinalFailure` hook of its name runs inside the job, marks the record failed
 * and tells someone; the job then ends failed (`JobGaveUp`), or completed when the hook finds the work done.
 * If the hook itself throws, the job is retried while attempts remain, and once more from the `failed` event
 * after the last one. A job that stalled too often (its workers kept dying) never gets there: the queue's
 * `failed` event calls the hook for it. A job without a hook is logged as failed for good.
 *
 * One policy for a job name this build has no handler for (queued by a newer build during a deploy):
 * parked, delayed and looked at again later, never failed, so the newer worker can run it.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobRunner.name);
  private readonly workers: Worker[] = [];
  private readonly events: QueueEvents[] = [];
  private recheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const name of Object.values(QueueName)) this.startQueue(name);
    // After the workers exist: a scheduler entry means its queue is being consumed.
    await this.schedulePeriodicJobs();
    // The schedulers live in Redis only: a flush or a failover without persistence loses them, and nothing but a
    // worker's start writes them. A timer (not a scheduler: it is what is lost) puts back the missing ones.
    const recheckMs = this.config.JOB_SCHEDULES_RECHECK_MS;
    if (recheckMs > 0) this.recheck = setInterval(() => void this.restoreLostSchedulers(), recheckMs).unref();
    countQueueJobsWith(() =>
      Promise.all(
        Object.values(QueueName).map(async (queue) => ({
          queue,
          counts: await this.jobs.queue(queue).getJobCounts('waiting', 'delayed', 'active', 'failed'),
        })),
      ),
    );
  }

  /** Stops taking jobs and waits for the running ones (bounded by the app's shutdown deadline). */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.recheck);
    countQueueJobsWith(null);
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.events.map((e) => e.close()));
  }

  /** One job: its handler, and the final-failure policy when this was its last chance. */
  async run(job: Job, token?: string): Promise<unknown> {
    const handler = this.registry.handler(job.name);
    if (!handler) return this.park(job, token);
    try {
      return await handler.call(job.data, job);
    } catch (err) {
      if (isFlowControl(err) || !isLastAttempt(job, err)) throw err;
      return this.giveUp(job, asError(err));
    }
  }

  private startQueue(name: QueueName): void {
    const queue = this.jobs.queue(name);
    const connection = { connection: queue.opts.connection, prefix: queue.opts.prefix };
    const worker = new Worker(name, (job: Job, token?: string) => this.run(job, token), {
      ...connection,
      ...queueWorkerOptions(name, this.config),
    });
    worker.on('error', (err) => this.logger.warn(`${name} worker: ${describeError(err)}`));
    worker.on('failed', (job, err) => void this.afterFailure(job, err));
    this.workers.push(worker);

    const hooked = Object.values(JobName).some((j) => JOB_QUEUE[j] === name && this.registry.finalFailureHook(j));
    if (!hooked) return;
    const events = new QueueEvents(name, connection);
    events.on('failed', ({ jobId, failedReason }) => {
      if (!failedReason?.includes(STALLED_TOO_OFTEN)) return;
      void Job.fromId(queue, jobId).then(
        (job) => job && this.callFinalFailureHook(job, new UnrecoverableError(failedReason)),
        (err: unknown) => this.logger.warn(`${name}: could not load stalled job ${jobId}: ${describeError(err)}`),
      );
    });
    events.on('error', (err) => this.logger.warn(`${name} events: ${describeError(err)}`));
    this.events.push(events);
  }

  private async giveUp(job: Job, err: Error): Promise<unknown> {
    const hook = this.registry.finalFailureHook(job.name);
    // Without a hook the job simply fails; the `failed` listener logs it.
    if (!hook) throw err;
    const outcome = await hook.call(job.data, err, job);
    if (outcome === 'succeeded') return { settled: outcome };
    throw new JobGaveUp(err.message);
  }

  /** For jobs that failed without their hook having run (the hook threw on the last attempt, no hook at all). */
  private async afterFailure(job: Job | undefined, err: Error): Promise<void> {
    if (!job) return;
    const where = `${job.name} ${job.id ?? '?'}`;
    if (err instanceof JobGaveUp) {
      jobsFailedForGood.inc({ queue: job.queueName, name: job.name });
      this.logger.warn(`${where} failed for good after ${job.attemptsMade} attempt(s): ${describeError(err)}`);
      return;
    }
    if (!(err instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1)) {
      this.logger.warn(`${where} failed (attempt ${job.attemptsMade}), will retry: ${describeError(err)}`);
      return;
    }
    await this.callFinalFailureHook(job, err);
  }

  private async callFinalFailureHook(job: Job, err: Error): Promise<void> {
    jobsFailedForGood.inc({ queue: job.queueName, name: job.name });
    const where = `${job.name} ${job.id ?? '?'}`;
    const hook = this.registry.finalFailureHook(job.name);
    if (!hook) {
      this.logger.error(`${where} failed for good: ${describeError(err)}`);
      return;
    }
    try {
      await hook.call(job.data, err, job);
      this.logger.warn(`${where} failed for good, recorded by ${hook.where}: ${describeError(err)}`);
    } catch (e) {
      this.logger.error(`${where} failed for good and ${hook.where} could not record it: ${describeError(e)}`);
    }
  }

  private async park(job: Job, token: string | undefined): Promise<never> {
    this.logger.warn(`no handler for ${job.name} in this worker; job ${job.id ?? '?'} waits`);
    await job.moveToDelayed(Date.now() + UNKNOWN_JOB_RETRY_MS, token);
    throw new DelayedError();
  }

  /** Writes back every periodic job's scheduler that is no longer in Redis (an existing one is left as it is). */
  private async restoreLostSchedulers(): Promise<void> {
    for (const schedule of JOB_SCHEDULES) {
      const every = schedule.every(this.config);
      if (every <= 0) continue;
      const queue = this.jobs.queue(JOB_QUEUE[schedule.name]);
      try {
        if (await queue.getJobScheduler(schedule.id)) continue;
        await queue.upsertJobScheduler(
          schedule.id,
          { every },
          { name: schedule.name, data: {}, opts: SCHEDULED_JOB_OPTIONS },
        );
        this.logger.warn(`the ${schedule.id} scheduler was missing from Redis (flushed?); put back`);
      } catch (err) {
        this.logger.warn(`could not check the ${schedule.id} scheduler: ${describeError(err)}`);
      }
    }
  }

  private async schedulePeriodicJobs(): Promise<void> {
    for (const schedule of JOB_SCHEDULES) {
      const queue = this.jobs.queue(JOB_QUEUE[schedule.name]);
      const every = schedule.every(this.config);
      if (every <= 0) {
        await queue.removeJobScheduler(schedule.id);
        continue;
      }
      await queue.upsertJobScheduler(
        schedule.id,
        { every },
        { name: schedule.name, data: {}, opts: SCHEDULED_JOB_OPTIONS },
      );
    }
  }
}

function isLastAttempt(job: Job, err: unknown): boolean {
  return err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** BullMQ's own signals (a handler moved the job elsewhere): not failures. */
function isFlowControl(err: unknown): boolean {
  return err instanceof DelayedError || err instanceof RateLimitError || err instanceof WaitingChildrenError;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(describeError(err));
}
