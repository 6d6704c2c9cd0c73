import { Injectable, Logger } from '@nestjs/common';
import { JOB_QUEUE, JobName, JobQueue } from '@botfleet/jobs';
import { SUBSCRIPTION_REFUNDED, takeBackJobId } from '@botfleet/payments';

/** How far back the sale sweep looks for refunded orders whose take-back never finished: 7 days. */
export const TAKE_BACK_SWEEP_LOOKBACK_MS = 7 * 24 * 3600 * 1000;

/** What the sweeper did with a refunded order whose take-back has no record. */
export type UnfinishedTakeBackOutcome = 'running' | 'requeued';

/**
 * A refunded order's take-back (DisableSubscription with its id) ends with its `order:{id}:taken_back` record,
 * whatever happened to its job. The sweeper asks here about refunded orders without that record, and looks at the
 * job under the id every refund queues it with (`takeBackJobId`, libs/payments):
 * - waiting, delayed or running: its attempts are under way; nothing to do;
 * - failed for good (the panel kept failing; its final-failure hook recorded it and told the operator), completed
 *   without the record, or missing (lost before it reached the queue): queued again under the same id, so one
 *   take-back is in the queue at a time and the panel work is recorded once.
 */
@Injectable()
export class UnfinishedTakeBacks {
  private readonly logger = new Logger(UnfinishedTakeBacks.name);

  constructor(private readonly jobs: JobQueue) {}

  async requeue(botId: string, subscriptionId: string, orderId: string): Promise<UnfinishedTakeBackOutcome> {
    const jobId = takeBackJobId(botId, subscriptionId, orderId);
    const queued = await this.jobs.queue(JOB_QUEUE[JobName.DisableSubscription]).getJob(jobId);
    const state = queued ? await queued.getState() : 'unknown';
    if (queued && (state === 'failed' || state === 'completed')) await queued.remove();
    else if (queued && state !== 'unknown') return 'running';
    this.logger.warn({ botId, orderId, jobId, state }, "queueing a refunded order's take-back again");
    await this.jobs.add(
      JobName.DisableSubscription,
      { botId, subscriptionId, reason: SUBSCRIPTION_REFUNDED, orderId },
      { jobId },
    );
    return 'requeued';
  }
}
