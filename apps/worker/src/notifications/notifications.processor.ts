import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { DelayedError, Job, Queue, Worker } from 'bullmq';
import { JobPayloads, QueueName } from '@botfleet/jobs';
import { NotificationHandlers, NotificationJobName } from './notification-handlers';

/** How long a job nobody in this build handles waits before it is looked at again. */
const UNHANDLED_RETRY_MS = 5 * 60_000;
const CONCURRENCY = 10;

/**
 * The one consumer of the notifications queue: dispatches each job to the handler registered for its name.
 * Retries are the queue defaults (exponential backoff). A job whose name has no handler in this build is
 * parked (delayed, not failed), so a notice queued by a newer API is not lost to an older worker.
 */
@Injectable()
export class NotificationsProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationsProcessor.name);
  private worker?: Worker;

  constructor(
    @InjectQueue(QueueName.Notifications) private readonly queue: Queue,
    private readonly handlers: NotificationHandlers,
  ) {}

  onApplicationBootstrap(): void {
    const worker = new Worker(QueueName.Notifications, (job: Job, token?: string) => this.process(job, token), {
      connection: this.queue.opts.connection,
      prefix: this.queue.opts.prefix,
      concurrency: CONCURRENCY,
    });
    worker.on('error', (err) => this.logger.warn(`notifications worker: ${err.name}: ${err.message}`));
    worker.on('failed', (job, err) =>
      this.logger.warn(
        `${job?.name ?? 'job'} ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.message}`,
      ),
    );
    this.worker = worker;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  async process(job: Job, token?: string): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    if (handler) return handler(job.data as JobPayloads[NotificationJobName]);
    this.logger.warn(`no handler for ${job.name} in this worker; job ${job.id} waits`);
    await job.moveToDelayed(Date.now() + UNHANDLED_RETRY_MS, token);
    throw new DelayedError();
  }
}
