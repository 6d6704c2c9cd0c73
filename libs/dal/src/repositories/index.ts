import type { Type } from '@nestjs/common';
import { BotSelfRepository } from './bot-self.repository';
import { JobOutboxRepository } from './job-outbox.repository';
import { ProcessedUpdatesRepository } from './processed-updates.repository';
import { CardPaymentRepository } from './card-payment.repository';
import { SentNotificationRepository } from './sent-notification.repository';
import { BotAdminsRepository } from './bot-admins.repository';
import { WholesaleWalletRepository } from './wholesale-wallet.repository';
import { PlanRepository } from './plan.repository';
import { FeatureFlagRepository } from './feature-flag.repository';
import { ConfigurationRepository } from './configuration.repository';
import { CardRotationRepository } from './card-rotation.repository';
import { UserRepository } from './user.repository';
import { BotStatsRepository } from './bot-stats.repository';
import { ProvisioningRepository } from './provisioning.repository';
import { PaymentHistoryRepository } from './payment-history.repository';
import { TopUpRepository } from './top-up.repository';
import { BroadcastRepository } from './broadcast.repository';
import { TicketRepository } from './ticket.repository';
import { PromoRepository } from './promo.repository';
import { GatewayPaymentRepository } from './gateway-payment.repository';

// Named repositories: every raw query of the tenant path lives in one of these files, as a method that
// takes the bot id first. Add a class here (export + list entry) and DalModule provides and exports it.
export * from './bot-self.repository';
export * from './job-outbox.repository';
export * from './processed-updates.repository';
export * from './card-payment.repository';
export * from './sent-notification.repository';
export * from './bot-admins.repository';
export * from './wholesale-wallet.repository';
export * from './plan.repository';
export * from './feature-flag.repository';
export * from './configuration.repository';
export * from './card-rotation.repository';
export * from './user.repository';
export * from './bot-stats.repository';
export * from './provisioning.repository';
export * from './payment-history.repository';
export * from './top-up.repository';
export * from './broadcast.repository';
export * from './ticket.repository';
export * from './promo.repository';
export * from './gateway-payment.repository';

export const DAL_REPOSITORIES: Type<unknown>[] = [
  BotSelfRepository,
  JobOutboxRepository,
  ProcessedUpdatesRepository,
  CardPaymentRepository,
  SentNotificationRepository,
  BotAdminsRepository,
  WholesaleWalletRepository,
  PlanRepository,
  FeatureFlagRepository,
  ConfigurationRepository,
  CardRotationRepository,
  UserRepository,
  BotStatsRepository,
  ProvisioningRepository,
  PaymentHistoryRepository,
  TopUpRepository,
  BroadcastRepository,
  TicketRepository,
  PromoRepository,
  GatewayPaymentRepository,
];
