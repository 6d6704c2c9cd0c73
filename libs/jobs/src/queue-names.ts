/** Every BullMQ queue in the system (STYLE.md: one enum of queue names); the worker runs one consumer per queue. */
export enum QueueName {
  /** Telegram updates received by the API in webhook mode, handled by the worker. */
  TelegramUpdates = 'telegram-updates',
  /**
   * Creating, extending, disabling VPN accounts on panels, and the platform's periodic jobs (traffic sync,
   * the sale sweep, pruning): BullMQ job schedulers, one job per interval however many workers run.
   */
  Provisioning = 'provisioning',
  /** Messages the platform sends on its own (delivery of configs, notices to owners and admins). */
  Notifications = 'notifications',
  /** Broadcasts: previews and chunks of sending (long, paced by the bots' send budgets; their own consumer). */
  Broadcasts = 'broadcasts',
}

/** Every job name, with the queue it belongs to (STYLE.md: one enum of job names). */
export enum JobName {
  HandleTelegramUpdate = 'handle-telegram-update',
  ProvisionSubscription = 'provision-subscription',
  ExtendSubscription = 'extend-subscription',
  DisableSubscription = 'disable-subscription',
  SyncPanelTraffic = 'sync-panel-traffic',
  SweepSales = 'sweep-sales',
  PruneProcessedUpdates = 'prune-processed-updates',
  ExpireSubscriptions = 'expire-subscriptions',
  DeliverSubscription = 'deliver-subscription',
  NotifyOwner = 'notify-owner',
  SaleNotification = 'sale-notification',
  BroadcastPreview = 'broadcast-preview',
  SendBroadcast = 'send-broadcast',
  PaymentNotification = 'payment-notification',
  ReconcileGatewayPayments = 'reconcile-gateway-payments',
  SupportNotification = 'support-notification',
  ScanOperatorAlerts = 'scan-operator-alerts',
  ScanRetention = 'scan-retention',
  SweepBroadcasts = 'sweep-broadcasts',
  SweepBroadcastPhotos = 'sweep-broadcast-photos',
  ApplyStarsRefund = 'apply-stars-refund',
  StartGatewayPayment = 'start-gateway-payment',
  ReportBroadcastEnd = 'report-broadcast-end',
}

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.HandleTelegramUpdate]: QueueName.TelegramUpdates,
  [JobName.ProvisionSubscription]: QueueName.Provisioning,
  [JobName.ExtendSubscription]: QueueName.Provisioning,
  [JobName.DisableSubscription]: QueueName.Provisioning,
  [JobName.SyncPanelTraffic]: QueueName.Provisioning,
  [JobName.SweepSales]: QueueName.Provisioning,
  [JobName.PruneProcessedUpdates]: QueueName.Provisioning,
  [JobName.ExpireSubscriptions]: QueueName.Provisioning,
  [JobName.DeliverSubscription]: QueueName.Notifications,
  [JobName.NotifyOwner]: QueueName.Notifications,
  [JobName.SaleNotification]: QueueName.Notifications,
  [JobName.BroadcastPreview]: QueueName.Broadcasts,
  [JobName.SendBroadcast]: QueueName.Broadcasts,
  [JobName.PaymentNotification]: QueueName.Notifications,
  [JobName.ReconcileGatewayPayments]: QueueName.Provisioning,
  [JobName.ScanOperatorAlerts]: QueueName.Provisioning,
  [JobName.ScanRetention]: QueueName.Provisioning,
  [JobName.SupportNotification]: QueueName.Notifications,
  [JobName.SweepBroadcasts]: QueueName.Provisioning,
  [JobName.SweepBroadcastPhotos]: QueueName.Provisioning,
  [JobName.ApplyStarsRefund]: QueueName.Provisioning,
  [JobName.StartGatewayPayment]: QueueName.Notifications,
  [JobName.ReportBroadcastEnd]: QueueName.Notifications,
};

/** The periodic jobs: platform-wide (every bot at once, through the platform path), so without a botId. */
export type PlatformJobName =
  | JobName.SyncPanelTraffic
  | JobName.SweepSales
  | JobName.PruneProcessedUpdates
  | JobName.ExpireSubscriptions
  | JobName.ReconcileGatewayPayments
  | JobName.ScanOperatorAlerts
  | JobName.ScanRetention
  | JobName.SweepBroadcasts
  | JobName.SweepBroadcastPhotos;

/** Alerts a bot's owner gets through NotifyOwner. */
/** `suspended` / `resumed`: the operator's decision (`data.reason` for a suspension). */
/** `stars_refund_unapplied`: Telegram refunded Stars we could not take back (libs/payments StarsCheckout). */
/** `restored`: the operator brought the deleted bot back, paused; told through the master bot (OwnerNotifier). */
export type OwnerAlertKind =
  | 'wholesale_low'
  | 'no_card'
  | 'notice_undelivered'
  | 'suspended'
  | 'resumed'
  | 'stars_refund_unapplied'
  | 'restored';

/**
 * Every payload has a top-level botId (except the platform-wide periodic jobs); the handler rebuilds the
 * tenant context from it. Payloads never carry secrets (tokens, credentials): handlers load them by id.
 */
export interface JobPayloads {
  [JobName.HandleTelegramUpdate]: { botId: string; updateId: number; update: Record<string, unknown> };
  [JobName.ProvisionSubscription]: { botId: string; subscriptionId: string; orderId?: string };
  [JobName.ExtendSubscription]: { botId: string; subscriptionId: string; orderId?: string };
  /** With `orderId` (a refund): only what that order paid for is taken back (ProvisioningService.disable). */
  [JobName.DisableSubscription]: { botId: string; subscriptionId: string; reason: string; orderId?: string };
  /** Reads usage per panel across every bot and writes each bot's totals. No panelId = every panel. */
  [JobName.SyncPanelTraffic]: { panelId?: string };
  /** Relays stale job outbox rows, expires overdue card payments, re-queues stuck fulfilments. */
  [JobName.SweepSales]: Record<string, never>;
  /** Forgets processed updates older than 48 hours. */
  [JobName.PruneProcessedUpdates]: Record<string, never>;
  /** Marks subscriptions past their end `expired` (per bot) and queues their switch-off on the panel. */
  [JobName.ExpireSubscriptions]: Record<string, never>;
  /**
   * orderId names the purchase being delivered, so a renewal gets its own message and a retry none. `resend`: an
   * admin's "Resend link" (libs/customers ResendSubscriptionLinkUseCase), sent once per key.
   */
  [JobName.DeliverSubscription]: { botId: string; subscriptionId: string; orderId?: string; resend?: string };
  [JobName.NotifyOwner]: { botId: string; kind: OwnerAlertKind; data?: Record<string, string | number> };
  [JobName.SaleNotification]: {
    botId: string;
    event:
      | 'receipt_submitted'
      | 'receipt_approved'
      | 'receipt_rejected'
      | 'payment_expired'
      | 'fulfilment_failed'
      | 'order_refunded'
      | 'review_reminder';
    paymentId?: string;
    orderId?: string;
    /** `review_reminder`: which reminder (1-based, REVIEW_REMINDERS in libs/sales). */
    reminder?: number;
    /** `order_refunded`: where the money went (the wallet, or back outside by the shop). */
    refundTo?: 'wallet' | 'offline';
  };
  /** Sends a broadcast draft to the admin who asked for it (libs/broadcasts). */
  [JobName.BroadcastPreview]: { botId: string; broadcastId: string };
  /** Sends the next chunk of a running broadcast; `chunk` numbers the job ids. */
  [JobName.SendBroadcast]: { botId: string; broadcastId: string; chunk: number };
  /** A gateway payment's outcome told to its buyer (libs/payments PaymentNotifier). */
  [JobName.PaymentNotification]: {
    botId: string;
    paymentId: string;
    event: 'paid_to_wallet' | 'topup_credited' | 'refunded' | 'failed';
  };
  /** Asks each gateway about payments whose callback never came, settles the paid ones, expires stale ones. */
  [JobName.ReconcileGatewayPayments]: Record<string, never>;
  /** The operator's alerts (libs/operator/src/alerts): low wallets, panels down, failed provisioning, revoked tokens. */
  [JobName.ScanOperatorAlerts]: Record<string, never>;
  /** Growth (libs/growth): auto-renewals due from the wallet, then expiry and traffic reminders, across every bot. */
  [JobName.ScanRetention]: Record<string, never>;
  /** Running broadcasts whose job chain was lost (libs/broadcasts): their next chunk queued again. */
  [JobName.SweepBroadcasts]: Record<string, never>;
  /** Uploaded broadcast pictures nobody will send (abandoned drafts, ones with a file_id already): bytes dropped. */
  [JobName.SweepBroadcastPhotos]: Record<string, never>;
  /** Telegram's refunded_payment our side refused for now (order still fulfilling): applied again until it settles. */
  [JobName.ApplyStarsRefund]: { botId: string; chargeId: string; fromTelegramId: number };
  /**
   * A gateway payment the bot opened: the gateway is asked for it outside the update's transaction, then the buyer
   * is shown where to pay (`messageId`: the screen to replace) in `language` (libs/payments StartGatewayPaymentUseCase).
   */
  [JobName.StartGatewayPayment]: { botId: string; paymentId: string; language: string; messageId?: number };
  /**
   * How a broadcast ended, told to the bot's owner through the master bot when the bot cannot post it itself (its
   * token rejected): once, retried until it is (libs/broadcasts BroadcastRunsService.takeEndReport).
   */
  [JobName.ReportBroadcastEnd]: { botId: string; broadcastId: string };
  /** A support ticket event: posted to the admin chat and/or told to the customer (libs/support). */
  [JobName.SupportNotification]: {
    botId: string;
    event: 'ticket_opened' | 'customer_message' | 'admin_reply' | 'ticket_closed';
    ticketId: string;
    /** The ticket message the event is about (not for `ticket_closed`). */
    messageId?: string;
  };
}

/** Compile-time check of the rule above: a tenant job without a string botId does not compile. */
type TenantJobsHaveBotId = {
  [J in Exclude<JobName, PlatformJobName>]: JobPayloads[J] extends { botId: string } ? true : never;
};
export const TENANT_JOBS_HAVE_BOT_ID: TenantJobsHaveBotId = {
  [JobName.HandleTelegramUpdate]: true,
  [JobName.ProvisionSubscription]: true,
  [JobName.ExtendSubscription]: true,
  [JobName.DisableSubscription]: true,
  [JobName.DeliverSubscription]: true,
  [JobName.NotifyOwner]: true,
  [JobName.SaleNotification]: true,
  [JobName.BroadcastPreview]: true,
  [JobName.SendBroadcast]: true,
  [JobName.PaymentNotification]: true,
  [JobName.SupportNotification]: true,
  [JobName.ApplyStarsRefund]: true,
  [JobName.StartGatewayPayment]: true,
  [JobName.ReportBroadcastEnd]: true,
};
