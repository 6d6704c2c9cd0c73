import { Injectable } from '@nestjs/common';
import { ObjectLiteral, EntityTarget } from 'typeorm';
import * as E from './entities';
import { TenantDb } from './tenant-context';
import { TenantRepository } from './tenant-repository';

/**
 * One repository per tenant table, all bot-scoped. Domain libraries inject this and call
 * e.g. `repos.plans.find(botId, { where: { isActive: true } })`. Its TenantDb is private: a unit of work
 * injects TenantDb itself, and SQL these cannot express is a named method in `./repositories`.
 */
@Injectable()
export class TenantRepositories {
  constructor(private readonly db: TenantDb) {}
  private r<T extends ObjectLiteral & { botId: string }>(e: EntityTarget<T>) {
    return new TenantRepository<T>(this.db, e);
  }
  readonly walletLedger = this.r(E.TenantWalletLedgerEntity);
  readonly wholesalePrices = this.r(E.WholesalePriceEntity);
  readonly featureAllowances = this.r(E.FeatureAllowanceEntity);
  readonly featureFlags = this.r(E.BotFeatureFlagEntity);
  readonly configurations = this.r(E.BotConfigurationEntity);
  readonly admins = this.r(E.BotAdminEntity);
  readonly paymentCards = this.r(E.PaymentCardEntity);
  readonly cardDailyUsage = this.r(E.CardDailyUsageEntity);
  readonly cardRotationState = this.r(E.CardRotationStateEntity);
  readonly plans = this.r(E.PlanEntity);
  readonly promoGroups = this.r(E.PromoGroupEntity);
  readonly users = this.r(E.UserEntity);
  readonly subscriptions = this.r(E.SubscriptionEntity);
  readonly promocodes = this.r(E.PromocodeEntity);
  readonly orders = this.r(E.OrderEntity);
  readonly transactions = this.r(E.TransactionEntity);
  readonly cardPayments = this.r(E.CardPaymentEntity);
  readonly gatewayPayments = this.r(E.GatewayPaymentEntity);
  readonly promocodeUses = this.r(E.PromocodeUseEntity);
  readonly referralEarnings = this.r(E.ReferralEarningEntity);
  readonly tickets = this.r(E.TicketEntity);
  readonly ticketMessages = this.r(E.TicketMessageEntity);
  readonly broadcasts = this.r(E.BroadcastEntity);
  readonly broadcastDeliveries = this.r(E.BroadcastDeliveryEntity);
  readonly sentNotifications = this.r(E.SentNotificationEntity);
  readonly subscriptionEvents = this.r(E.SubscriptionEventEntity);
  readonly processedUpdates = this.r(E.ProcessedUpdateEntity);
  readonly jobOutbox = this.r(E.JobOutboxEntity);
  readonly auditLogs = this.r(E.AuditLogEntity);
}
