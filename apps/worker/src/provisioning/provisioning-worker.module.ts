import { Module, Type } from '@nestjs/common';
import { ProvisioningPanelDirectory } from '@botfleet/operator';
import { PanelTrafficStore, SubscriptionExpiries } from '@botfleet/platform';
import {
  PANEL_DIRECTORY,
  PROVISIONING_OUTCOMES,
  ProvisioningService,
  TRAFFIC_STORE,
  TrafficStorePort,
  TrafficSyncService,
} from '@botfleet/provisioning';
import { SalesModule } from '@botfleet/sales';
import { BotConversationModule } from '@botfleet/telegram';
import { NotificationsModule } from '../notifications/notifications.module';
import { ProvisioningOutcomes } from './provisioning-outcomes';
import { ProvisioningProcessor } from './provisioning.processor';
import { SubscriptionDeliveryHandler } from './subscription-delivery.handler';
import { StuckFulfilments } from './stuck-fulfilments';
import { UnfinishedTakeBacks } from './unfinished-take-backs';
import { SubscriptionExpiryHandler } from './subscription-expiry.handler';

/**
 * Provisioning in the worker: the domain services with their ports bound to the platform path (panels,
 * cross-bot traffic) and to the sale (outcomes), the handlers of the provisioning jobs, and the delivery of
 * subscriptions to their users. Needs the global DalModule, PlatformDbModule, SecretsModule,
 * JobsModule and ConfigModule.
 */
@Module({
  imports: [SalesModule, BotConversationModule, NotificationsModule],
  providers: [
    ProvisioningService,
    TrafficSyncService,
    { provide: PANEL_DIRECTORY, useClass: ProvisioningPanelDirectory },
    // libs/platform may not import provisioning, so it spells TrafficTarget/UsageReading again; this checks they agree.
    { provide: TRAFFIC_STORE, useClass: PanelTrafficStore satisfies Type<TrafficStorePort> },
    { provide: PROVISIONING_OUTCOMES, useClass: ProvisioningOutcomes },
    ProvisioningProcessor,
    SubscriptionDeliveryHandler,
    StuckFulfilments,
    UnfinishedTakeBacks,
    SubscriptionExpiries,
    SubscriptionExpiryHandler,
  ],
  exports: [ProvisioningService, TrafficSyncService, StuckFulfilments, UnfinishedTakeBacks],
})
export class ProvisioningWorkerModule {}
