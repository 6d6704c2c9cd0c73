import { InitialSchema1763800000000 } from './1763800000000-initialSchema';
import { SubscriptionEventDedupe1763900000000 } from './1763900000000-subscriptionEventDedupe';
import { JobOutbox1764000000000 } from './1764000000000-jobOutbox';
import { CardPaymentReview1764100000110 } from './1764100000110-cardPaymentReview';
import { ProcessedUpdatesTelegramBot1764100000300 } from './1764100000300-processedUpdatesTelegramBot';
import { ReceiptTextLength1764100000400 } from './1764100000400-receiptTextLength';
import { SubscriptionExpiryIndex1764100000520 } from './1764100000520-subscriptionExpiryIndex';
import { TenantPrivileges1764200000100 } from './1764200000100-tenantPrivileges';
import { NumericRanges1764200000400 } from './1764200000400-numericRanges';
import { WalletSettleEndedOrders1764200000600 } from './1764200000600-walletSettleEndedOrders';
import { GatewayPayments1764300000100 } from './1764300000100-gatewayPayments';
import { PlanStarsPrice1764300000200 } from './1764300000200-planStarsPrice';
import { CardTopUps1764300000300 } from './1764300000300-cardTopUps';
import { BroadcastDrafts1764300000400 } from './1764300000400-broadcastDrafts';
import { SupportTickets1764300000500 } from './1764300000500-supportTickets';
import { BotAdminRoles1764300000600 } from './1764300000600-botAdminRoles';
import { NewColumnRanges1764300000900 } from './1764300000900-newColumnRanges';
import { PromoCodesReferrals1764300001000 } from './1764300001000-promoCodesReferrals';
import { GrowthTrialReminders1764300001100 } from './1764300001100-growthTrialReminders';
import { ConsoleSessions1764400000000 } from './1764400000000-consoleSessions';
import { ConsoleSessionSource1764400000010 } from './1764400000010-consoleSessionSource';
import { BroadcastDeliverySteps1764400000100 } from './1764400000100-broadcastDeliverySteps';
import { BroadcastPendingIndex1764400000110 } from './1764400000110-broadcastPendingIndex';
import { SentNotificationClaims1764400000500 } from './1764400000500-sentNotificationClaims';
import { TicketReplyIdempotency1764400000510 } from './1764400000510-ticketReplyIdempotency';
import { SentNotificationWithoutUser1764400000800 } from './1764400000800-sentNotificationWithoutUser';
import { BroadcastPhotoUpload1764400000950 } from './1764400000950-broadcastPhotoUpload';
import { BroadcastPhotoAwaited1764400001100 } from './1764400001100-broadcastPhotoAwaited';
import { BroadcastPhotoUploadIndex1764400001110 } from './1764400001110-broadcastPhotoUploadIndex';
import { GatewayPaymentRefundPendingIndex1764400001120 } from './1764400001120-gatewayPaymentRefundPendingIndex';
import { BroadcastDraftKey1764400001200 } from './1764400001200-broadcastDraftKey';
import { BroadcastPhotoAwaitedIndex1764400001210 } from './1764400001210-broadcastPhotoAwaitedIndex';
import { BroadcastDeliveriesByKey1764400001500 } from './1764400001500-broadcastDeliveriesByKey';
import { GatewayPaymentScreenMessage1764400001600 } from './1764400001600-gatewayPaymentScreenMessage';
import { WalletAdjust1764400001800 } from './1764400001800-walletAdjust';
import { TicketOpenIdempotency1764400001900 } from './1764400001900-ticketOpenIdempotency';
import { TicketOpenedBy1764400002600 } from './1764400002600-ticketOpenedBy';
import { BroadcastSendingIndex1764400003000 } from './1764400003000-broadcastSendingIndex';

/** Every migration, in order. A test checks that each file in this folder is listed here. */
export const MIGRATIONS = [
  InitialSchema1763800000000,
  SubscriptionEventDedupe1763900000000,
  JobOutbox1764000000000,
  CardPaymentReview1764100000110,
  ProcessedUpdatesTelegramBot1764100000300,
  ReceiptTextLength1764100000400,
  SubscriptionExpiryIndex1764100000520,
  TenantPrivileges1764200000100,
  NumericRanges1764200000400,
  WalletSettleEndedOrders1764200000600,
  GatewayPayments1764300000100,
  PlanStarsPrice1764300000200,
  CardTopUps1764300000300,
  BroadcastDrafts1764300000400,
  SupportTickets1764300000500,
  BotAdminRoles1764300000600,
  NewColumnRanges1764300000900,
  PromoCodesReferrals1764300001000,
  GrowthTrialReminders1764300001100,
  ConsoleSessions1764400000000,
  ConsoleSessionSource1764400000010,
  BroadcastDeliverySteps1764400000100,
  BroadcastPendingIndex1764400000110,
  SentNotificationClaims1764400000500,
  TicketReplyIdempotency1764400000510,
  SentNotificationWithoutUser1764400000800,
  BroadcastPhotoUpload1764400000950,
  BroadcastPhotoAwaited1764400001100,
  BroadcastPhotoUploadIndex1764400001110,
  GatewayPaymentRefundPendingIndex1764400001120,
  BroadcastDraftKey1764400001200,
  BroadcastPhotoAwaitedIndex1764400001210,
  BroadcastDeliveriesByKey1764400001500,
  GatewayPaymentScreenMessage1764400001600,
  WalletAdjust1764400001800,
  TicketOpenIdempotency1764400001900,
  TicketOpenedBy1764400002600,
  BroadcastSendingIndex1764400003000,
];
