import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobName } from '@botfleet/jobs';
import { SubscriptionDeliveryService } from '@botfleet/telegram';
import { NotificationHandlers } from '../notifications/notification-handlers';

/** `DeliverSubscription` jobs (queued by the provisioning outcome) send the user their link and QR code. */
@Injectable()
export class SubscriptionDeliveryHandler implements OnModuleInit {
  constructor(
    private readonly handlers: NotificationHandlers,
    private readonly delivery: SubscriptionDeliveryService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(JobName.DeliverSubscription, ({ botId, subscriptionId, orderId }) =>
      this.delivery.deliver(botId, subscriptionId, orderId),
    );
  }
}
