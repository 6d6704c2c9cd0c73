import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { JobsOptions, Queue } from 'bullmq';
import { DependencyTimeoutError, withDependencyTimeout } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { jobOptionsByName } from './job-defaults';
import { JOB_QUEUE, JobName, JobPayloads, QueueName } from './queue-names';

/**
 * The one typed way to enqueue a job: the queue follows from the job name, and the payload
 * type from both. Payloads carry ids (botId first), never secrets. An enqueue waits at most
 * JOB_ENQUEUE_TIMEOUT_MS for Redis, then throws a DependencyTimeoutError (503 for a request, a retry for an
 * update; after a commit the job outbox relays it later) — the add itself may still land, under its job id.
 */
@Injectable()
export class JobQueue {
  private readonly queues: Record<QueueName, Queue>;
  private readonly timeoutMs: number;
  /** Options of single job names (job-defaults.ts), under the caller's own. */
  private readonly byName: Partial<Record<JobName, JobsOptions>>;
  /** An enqueue that timed out and Redis has still not answered: while there is one, further ones fail at once. */
  private unanswered?: Promise<unknown>;

  constructor(
    @InjectQueue(QueueName.TelegramUpdates) telegramUpdates: Queue,
    @InjectQueue(QueueName.Provisioning) provisioning: Queue,
    @InjectQueue(QueueName.Notifications) notifications: Queue,
    @InjectQueue(QueueName.Broadcasts) broadcasts: Queue,
    config: AppConfig,
  ) {
    this.timeoutMs = config.JOB_ENQUEUE_TIMEOUT_MS;
    this.byName = jobOptionsByName(config.PROVISIONING_ATTEMPTS, config.PROVISIONING_BACKOFF_MS);
    this.queues = {
      [QueueName.TelegramUpdates]: telegramUpdates,
      [QueueName.Provisioning]: provisioning,
      [QueueName.Notifications]: notifications,
      [QueueName.Broadcasts]: broadcasts,
    };
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  async add<J extends JobName>(name: J, payload: JobPayloads[J], opts: JobsOptions = {}) {
    if (this.unanswered) throw new DependencyTimeoutError('queue', this.timeoutMs);
    const adding = this.queues[JOB_QUEUE[name]].add(name, payload, { ...this.byName[name], ...opts });
    try {
      return await withDependencyTimeout('queue', this.timeoutMs, adding);
    } catch (e) {
      if (e instanceof DependencyTimeoutError && !this.unanswered) {
        const pending: Promise<unknown> = adding
          .catch(() => undefined)
          .finally(() => {
            if (this.unanswered === pending) this.unanswered = undefined;
          });
        this.unanswered = pending;
      }
      throw e;
    }
  }
}
