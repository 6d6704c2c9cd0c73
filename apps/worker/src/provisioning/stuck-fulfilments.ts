import { Injectable, Logger } from '@nestjs/common';
import { JOB_QUEUE, JobQueue } from '@botfleet/jobs';
import { ProvisioningService } from '@botfleet/provisioning';
import { FulfilmentService } from '@botfleet/sales';

/** What the sweeper did with a fulfilling order that has not moved for a while. */
export type StuckFulfilmentOutcome = 'running' | 'requeued' | 'finished' | 'gone';

/**
 * Every fulfilling order ends (RELIABILITY.md 4), whatever state its panel job was left in. The sweeper asks
 * here about orders that have not moved for `FULFILMENT_STUCK_AFTER_MS`, and looks at the job itself:
 * - still waiting, delayed or running: its retries are under way; nothing to do;
 * - missing (lost before it reached the queue, or removed): queued again under the same id;
 * - failed for good, yet the order is still fulfilling: the final-failure hook could not record it (the
 *   database was down at that moment). The final failure is recorded now — the order refunded, or reported
 *   done when the work was in fact done (`ProvisioningService.fail` decides under the subscription's lock);
 * - completed, yet the order did not move (its outcome could not be written): run again; the panel work is
 *   recorded once, so the run finds it and reports the success.
 */
@Injectable()
export class StuckFulfilments {
  private readonly logger = new Logger(StuckFulfilments.name);

  constructor(
    private readonly fulfilment: FulfilmentService,
    private readonly provisioning: ProvisioningService,
    private readonly jobs: JobQueue,
  ) {}

  async finish(botId: string, orderId: string): Promise<StuckFulfilmentOutcome> {
    const job = await this.fulfilment.provisioningJob(botId, orderId);
    if (!job) return 'gone';
    const queued = await this.jobs.queue(JOB_QUEUE[job.name]).getJob(job.jobId);
    const state = queued ? await queued.getState() : 'unknown';
    if (queued && state === 'failed') {
      const { subscriptionId } = job.payload;
      const reason = queued.failedReason || 'provisioning gave up';
      this.logger.warn({ botId, orderId, jobId: job.jobId }, 'recording a final failure its hook could not record');
      await this.provisioning.fail(botId, job.kind, subscriptionId, orderId, reason);
      return 'finished';
    }
    if (queued && state === 'completed') await queued.remove();
    else if (queued && state !== 'unknown') return 'running';
    await this.fulfilment.enqueue(botId, orderId);
    return 'requeued';
  }
}
