import { Injectable } from '@nestjs/common';
import { JobName, JobQueue, jobIdFor } from '@botfleet/jobs';
import type { ProvisioningOutcomesPort } from '@botfleet/provisioning';
import { FulfilmentService } from '@botfleet/sales';

/** Delivery job id: one message per subscription and purchase, so a retried outcome sends nothing twice. */
export function deliveryJobId(botId: string, subscriptionId: string, orderId?: string): string {
  return jobIdFor(JobName.DeliverSubscription, [botId, subscriptionId, orderId ?? 'initial']);
}

/**
 * Where provisioning's outcomes go in the worker: the sale settles the order (fulfilled, or failed with the
 * money back and people told) and, on success, the user gets the link through a delivery job. Both steps
 * are idempotent, as the port requires: a retried job calls them again.
 */
@Injectable()
export class ProvisioningOutcomes implements ProvisioningOutcomesPort {
  constructor(
    private readonly fulfilment: FulfilmentService,
    private readonly jobs: JobQueue,
  ) {}

  async succeeded(botId: string, subscriptionId: string, orderId?: string): Promise<void> {
    if (orderId) await this.fulfilment.succeeded(botId, orderId);
    await this.jobs.add(
      JobName.DeliverSubscription,
      { botId, subscriptionId, ...(orderId ? { orderId } : {}) },
      { jobId: deliveryJobId(botId, subscriptionId, orderId) },
    );
  }

  async failed(botId: string, _subscriptionId: string, orderId: string | undefined, reason: string): Promise<void> {
    if (orderId) await this.fulfilment.failed(botId, orderId, reason);
  }
}
