import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { JobsOptions, Queue } from 'bullmq';
import { DependencyTimeoutError, withDependencyTimeout } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { JOB_QUEUE, JobName, JobPayloads, QueueName } from './queue-names';

/** After an enqueue went unanswered, further ones fail at once for this long (no request queues up behind Redis). */
const FAIL_FAST_MS = 3_000;

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
  private unansweredUntil = 0;

  constructor(
    @InjectQueue(QueueName.TelegramUpdates) telegramUpdates: Queue,
    @InjectQueue(QueueName.Provisioning) provisioning: Queue,
    @InjectQueue(QueueName.Notifications) notifications: Queue,
    config: AppConfig,
  ) {
    this.timeoutMs = config.JOB_ENQUEUE_TIMEOUT_MS;
    this.queues = {
      [QueueName.TelegramUpdates]: telegramUpdates,
      [QueueName.Provisioning]: provisioning,
      [QueueName.Notifications]: notifications,
    };
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  async add<J extends JobName>(name: J, payload: JobPayloads[J], opts: JobsOptions = {}) {
    if (Date.now() < this.unansweredUntil) throw new DependencyTimeoutError('queue', this.timeoutMs);
    try {
      return await withDependencyTimeout(
        'queue',
        this.timeoutMs,
        this.queues[JOB_QUEUE[name]].add(name, payload, opts),
      );
    } catch (e) {
      if (e instanceof DependencyTimeoutError) this.unansweredUntil = Date.now() + FAIL_FAST_MS;
      throw e;
    }
  }
}
