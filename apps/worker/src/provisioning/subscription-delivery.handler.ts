import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads, OnJob, OnJobFinalFailure } from '@botfleet/jobs';
import { SubscriptionDeliveryService } from '@botfleet/telegram';
import { OwnerAlerts } from '../notifications/owner-alerts.service';

type DeliveryJob = JobPayloads[JobName.DeliverSubscription];

/** `DeliverSubscription` jobs (queued by the provisioning outcome) send the user their link and QR code. */
@Injectable()
export class SubscriptionDeliveryHandler {
  constructor(
    private readonly delivery: SubscriptionDeliveryService,
    private readonly alerts: OwnerAlerts,
  ) {}

  @OnJob({ name: JobName.DeliverSubscription })
  deliver({ botId, subscriptionId, orderId, resend }: DeliveryJob): Promise<unknown> {
    return this.delivery.deliver(botId, subscriptionId, orderId, resend);
  }

  /** A paid subscription whose link never reached the user: the owner hears of it and can hand it over. */
  @OnJobFinalFailure({ name: JobName.DeliverSubscription })
  async deliveryFailed({ botId, subscriptionId, orderId }: DeliveryJob): Promise<void> {
    await this.alerts.noticeUndelivered(botId, 'subscription_delivery', orderId ?? subscriptionId);
  }
}
