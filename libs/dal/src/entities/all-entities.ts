import { AdminAuditLogEntity } from './admin-audit-log.entity';
import { AuditLogEntity } from './audit-log.entity';
import { BotAdminEntity } from './bot-admin.entity';
import { ConsoleSessionEntity } from './console-session.entity';
import { BotConfigurationEntity } from './bot-configuration.entity';
import { BotFeatureFlagEntity } from './bot-feature-flag.entity';
import { BotEntity } from './bot.entity';
import { BroadcastDeliveryEntity } from './broadcast-delivery.entity';
import { BroadcastEntity } from './broadcast.entity';
import { CardDailyUsageEntity } from './card-daily-usage.entity';
import { CardPaymentEntity } from './card-payment.entity';
import { CardRotationStateEntity } from './card-rotation-state.entity';
import { FeatureAllowanceEntity } from './feature-allowance.entity';
import { GatewayPaymentEntity } from './gateway-payment.entity';
import { InviteEntity } from './invite.entity';
import { OrderEntity } from './order.entity';
import { PaymentCardEntity } from './payment-card.entity';
import { PlanEntity } from './plan.entity';
import { ProcessedUpdateEntity } from './processed-update.entity';
import { JobOutboxEntity } from './job-outbox.entity';
import { PromoGroupEntity } from './promo-group.entity';
import { PromocodeUseEntity } from './promocode-use.entity';
import { PromocodeEntity } from './promocode.entity';
import { ReferralEarningEntity } from './referral-earning.entity';
import { SentNotificationEntity } from './sent-notification.entity';
import { SubscriptionEventEntity } from './subscription-event.entity';
import { SubscriptionEntity } from './subscription.entity';
import { TenantWalletLedgerEntity } from './tenant-wallet-ledger.entity';
import { TicketMessageEntity } from './ticket-message.entity';
import { TicketEntity } from './ticket.entity';
import { TransactionEntity } from './transaction.entity';
import { UserEntity } from './user.entity';
import { VpnPanelEntity } from './vpn-panel.entity';
import { WholesalePriceEntity } from './wholesale-price.entity';

/** Every entity, for the data sources. */
export const ALL_ENTITIES = [
  AdminAuditLogEntity,
  AuditLogEntity,
  BotAdminEntity,
  ConsoleSessionEntity,
  BotConfigurationEntity,
  BotFeatureFlagEntity,
  BotEntity,
  BroadcastDeliveryEntity,
  BroadcastEntity,
  CardDailyUsageEntity,
  CardPaymentEntity,
  CardRotationStateEntity,
  FeatureAllowanceEntity,
  InviteEntity,
  JobOutboxEntity,
  OrderEntity,
  PaymentCardEntity,
  PlanEntity,
  ProcessedUpdateEntity,
  PromoGroupEntity,
  PromocodeUseEntity,
  PromocodeEntity,
  ReferralEarningEntity,
  SentNotificationEntity,
  GatewayPaymentEntity,
  SubscriptionEventEntity,
  SubscriptionEntity,
  TenantWalletLedgerEntity,
  TicketMessageEntity,
  TicketEntity,
  TransactionEntity,
  UserEntity,
  VpnPanelEntity,
  WholesalePriceEntity,
];
