import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { JobsOptions, Queue } from 'bullmq';
import { JOB_QUEUE, JobName, JobPayloads, QueueName } from './queue-names';

/**
 * The one typed way to enqueue a job: the queue follows from the job name, and the payload
 * type from both. Payloads carry ids (botId first), never secrets.
 */
@Injectable()
export class JobQueue {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.TelegramUpdates) telegramUpdates: Queue,
    @InjectQueue(QueueName.Provisioning) provisioning: Queue,
    @InjectQueue(QueueName.Notifications) notifications: Queue,
  ) {
    this.queues = {
      [QueueName.TelegramUpdates]: telegramUpdates,
      [QueueName.Provisioning]: provisioning,
      [QueueName.Notifications]: notifications,
    };
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  add<J extends JobName>(name: J, payload: JobPayloads[J], opts: JobsOptions = {}) {
    return this.queues[JOB_QUEUE[name]].add(name, payload, opts);
  }
}
