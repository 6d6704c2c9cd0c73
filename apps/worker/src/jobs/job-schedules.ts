import type { JobsOptions } from 'bullmq';
import { AppConfig } from '@botfleet/config';
import { JobName, PlatformJobName } from '@botfleet/jobs';

const HOUR_MS = 60 * 60 * 1000;

/** A periodic job: a BullMQ job scheduler, so one job per interval however many workers run. */
export interface JobSchedule {
  /** The scheduler id (one per deployment). */
  id: string;
  name: PlatformJobName;
  /** Interval in milliseconds; 0 or less switches the job off (its scheduler is removed). */
  every(config: AppConfig): number;
}

export const JOB_SCHEDULES: readonly JobSchedule[] = [
  { id: 'traffic-sync', name: JobName.SyncPanelTraffic, every: (c) => c.TRAFFIC_SYNC_INTERVAL_MS },
  { id: 'sale-sweep', name: JobName.SweepSales, every: (c) => c.SALE_SWEEP_INTERVAL_MS },
  { id: 'subscription-expiry', name: JobName.ExpireSubscriptions, every: (c) => c.SUBSCRIPTION_EXPIRY_INTERVAL_MS },
  // Online payments whose callback never came (libs/payments ReconcileGatewayPaymentsUseCase).
  { id: 'gateway-reconcile', name: JobName.ReconcileGatewayPayments, every: (c) => c.GATEWAY_RECONCILE_INTERVAL_MS },
  // The operator's alerts through the master bot (libs/operator/src/alerts).
  { id: 'operator-alerts', name: JobName.ScanOperatorAlerts, every: (c) => c.OPERATOR_ALERT_INTERVAL_MS },
  // Auto-renewals and reminders (libs/growth; apps/worker/src/growth).
  { id: 'retention-scan', name: JobName.ScanRetention, every: (c) => c.RETENTION_SCAN_INTERVAL_MS },
  // Running broadcasts whose job was lost (apps/worker/src/broadcasts): as often as a job lock can run out.
  { id: 'broadcast-sweep', name: JobName.SweepBroadcasts, every: (c) => c.BROADCAST_LOCK_MS },
  // Uploaded broadcast pictures left on drafts nobody finished (apps/worker/src/broadcasts): hourly is plenty.
  { id: 'broadcast-photo-sweep', name: JobName.SweepBroadcastPhotos, every: () => HOUR_MS },
  // Telegram keeps an update at most 24 hours; forgetting ours after 48 once an hour is plenty.
  { id: 'prune-processed-updates', name: JobName.PruneProcessedUpdates, every: () => HOUR_MS },
];

/** A missed round is simply the next one: a periodic job is never retried on its own. */
export const SCHEDULED_JOB_OPTIONS: JobsOptions = {
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
};
