/** Every BullMQ queue in the system (STYLE.md: one enum of queue names). */
export enum QueueName {
  /** Telegram updates received by the API in webhook mode, handled by the worker. */
  TelegramUpdates = 'telegram-updates',
  /** Creating, extending, disabling VPN accounts on panels; traffic sync. */
  Provisioning = 'provisioning',
  /** Messages the platform sends on its own (delivery of configs, notices to owners and admins). */
  Notifications = 'notifications',
  /** Periodic work: receipt expiry, traffic sync fan-out, processed_updates pruning. */
  Scheduler = 'scheduler',
}

/** Every job name, with the queue it belongs to (STYLE.md: one enum of job names). */
export enum JobName {
  HandleTelegramUpdate = 'handle-telegram-update',
  ProvisionSubscription = 'provision-subscription',
  ExtendSubscription = 'extend-subscription',
  DisableSubscription = 'disable-subscription',
  SyncPanelTraffic = 'sync-panel-traffic',
  DeliverSubscription = 'deliver-subscription',
  NotifyOwner = 'notify-owner',
  SaleNotification = 'sale-notification',
  ExpireCardPayments = 'expire-card-payments',
  PruneProcessedUpdates = 'prune-processed-updates',
}

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.HandleTelegramUpdate]: QueueName.TelegramUpdates,
  [JobName.ProvisionSubscription]: QueueName.Provisioning,
  [JobName.ExtendSubscription]: QueueName.Provisioning,
  [JobName.DisableSubscription]: QueueName.Provisioning,
  [JobName.SyncPanelTraffic]: QueueName.Provisioning,
  [JobName.DeliverSubscription]: QueueName.Notifications,
  [JobName.NotifyOwner]: QueueName.Notifications,
  [JobName.SaleNotification]: QueueName.Notifications,
  [JobName.ExpireCardPayments]: QueueName.Scheduler,
  [JobName.PruneProcessedUpdates]: QueueName.Scheduler,
};

/**
 * Every payload has a top-level botId (except the platform-wide traffic sync); the processor rebuilds
 * the tenant context from it.
 * Payloads never carry secrets (tokens, credentials): processors load them by id.
 */
export interface JobPayloads {
  [JobName.HandleTelegramUpdate]: { botId: string; updateId: number; update: Record<string, unknown> };
  [JobName.ProvisionSubscription]: { botId: string; subscriptionId: string; orderId?: string };
  [JobName.ExtendSubscription]: { botId: string; subscriptionId: string; orderId?: string };
  [JobName.DisableSubscription]: { botId: string; subscriptionId: string; reason: string };
  /**
   * The one platform job without a tenant: it reads usage per panel across every bot (through the
   * platform path) and writes each bot's totals. No panelId = every panel.
   */
  [JobName.SyncPanelTraffic]: { panelId?: string };
  /** orderId names the purchase being delivered, so a renewal gets its own message and a retry none. */
  [JobName.DeliverSubscription]: { botId: string; subscriptionId: string; orderId?: string };
  [JobName.NotifyOwner]: { botId: string; kind: string; data?: Record<string, unknown> };
  [JobName.SaleNotification]: {
    botId: string;
    event: 'receipt_submitted' | 'receipt_approved' | 'receipt_rejected' | 'payment_expired' | 'fulfilment_failed';
    paymentId?: string;
    orderId?: string;
  };
  [JobName.ExpireCardPayments]: { botId: string };
  [JobName.PruneProcessedUpdates]: { botId: string };
}
