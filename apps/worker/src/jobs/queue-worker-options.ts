import type { WorkerOptions } from 'bullmq';
import { AppConfig } from '@botfleet/config';
import { QueueName } from '@botfleet/jobs';

/** Notices are short Telegram calls; ten at once per worker keeps within the Bot API's pace. */
const NOTIFICATIONS_CONCURRENCY = 10;

export type QueueWorkerOptions = Pick<
  WorkerOptions,
  'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount'
>;

/** How the one consumer of each queue runs, from the validated config (an exhaustive switch: a new queue must say). */
export function queueWorkerOptions(queue: QueueName, config: AppConfig): QueueWorkerOptions {
  switch (queue) {
    case QueueName.TelegramUpdates:
      return { concurrency: config.TELEGRAM_UPDATES_CONCURRENCY };
    case QueueName.Provisioning:
      return {
        concurrency: config.PROVISIONING_CONCURRENCY,
        // The lock decides how soon a job whose worker was killed runs again.
        lockDuration: config.PROVISIONING_LOCK_MS,
        stalledInterval: config.PROVISIONING_LOCK_MS,
        // A job whose worker dies is picked up again; only a job that keeps killing workers is failed.
        maxStalledCount: 3,
      };
    case QueueName.Notifications:
      return { concurrency: NOTIFICATIONS_CONCURRENCY };
    case QueueName.Broadcasts:
      // A chunk waits on its bot's send budget most of the time: many at once, one per broadcasting bot.
      return {
        concurrency: config.BROADCAST_CONCURRENCY,
        lockDuration: config.BROADCAST_LOCK_MS,
        stalledInterval: config.BROADCAST_LOCK_MS,
        maxStalledCount: 10,
      };
    default:
      return assertNever(queue);
  }
}

function assertNever(value: never): never {
  throw new Error(`No worker options for queue ${String(value)}`);
}
