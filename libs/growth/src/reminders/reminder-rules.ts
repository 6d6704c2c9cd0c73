import type { ReminderSettings } from '@botfleet/catalog';
import type { SubscriptionEntity } from '@botfleet/dal';

const DAY_MS = 24 * 60 * 60 * 1000;
/** An ended subscription is reminded of only this long after its end (not years-old ones when the feature arrives). */
export const EXPIRED_REMINDER_WINDOW_MS = 7 * DAY_MS;

export type ReminderKind = 'expiring' | 'expired' | 'traffic';

/** One reminder that is due: who, which subscription, and the once-key that makes it go out once. */
export interface DueReminder {
  kind: ReminderKind;
  botId: string;
  userId: string;
  subscriptionId: string;
  planId: string | null;
  isTrial: boolean;
  /** `expiring`: the threshold in days. */
  days?: number;
  /** `traffic`: the threshold in percent. */
  percent?: number;
  /** `sent_notifications.dedupe_key`: kind, threshold, subscription and the period (its end), so a renewed period is reminded again. */
  dedupeKey: string;
}

/** The tenant's settings with the defaults filled in, thresholds sorted. */
export interface ResolvedReminderSettings {
  expiryDays: number[];
  expired: boolean;
  trafficPercents: number[];
  texts: NonNullable<ReminderSettings['texts']>;
}

export const DEFAULT_REMINDERS: ResolvedReminderSettings = {
  expiryDays: [3, 1],
  expired: true,
  trafficPercents: [80, 100],
  texts: {},
};

export function resolveReminderSettings(s: ReminderSettings | null | undefined): ResolvedReminderSettings {
  return {
    expiryDays: [...(s?.expiryDays ?? DEFAULT_REMINDERS.expiryDays)].sort((a, b) => a - b),
    expired: s?.expired ?? DEFAULT_REMINDERS.expired,
    trafficPercents: [...(s?.trafficPercents ?? DEFAULT_REMINDERS.trafficPercents)].sort((a, b) => a - b),
    texts: s?.texts ?? {},
  };
}

type Sub = Pick<
  SubscriptionEntity,
  'id' | 'botId' | 'userId' | 'planId' | 'status' | 'expiresAt' | 'trafficLimitBytes' | 'trafficUsedBytes' | 'isTrial'
>;

/**
 * Which reminders are due for `sub` at `now` (pure; the once-keys make a second call harmless). Of the expiry
 * thresholds passed, only the nearest one is due (a 1-day plan gets the 1-day reminder, not also the 3-day one);
 * likewise the highest traffic percent reached. Expired: once the end has passed (within a week of it).
 */
export function dueReminders(sub: Sub, settings: ResolvedReminderSettings, now: Date): DueReminder[] {
  const out: DueReminder[] = [];
  if (!sub.expiresAt) return out;
  const period = sub.expiresAt.getTime();
  const base = {
    botId: sub.botId,
    userId: sub.userId,
    subscriptionId: sub.id,
    planId: sub.planId,
    isTrial: sub.isTrial,
  };
  const left = period - now.getTime();
  if (sub.status === 'active' || sub.status === 'expired') {
    if (left <= 0) {
      if (settings.expired && -left <= EXPIRED_REMINDER_WINDOW_MS) {
        out.push({ ...base, kind: 'expired', dedupeKey: `reminder:expired:${sub.id}:${period}` });
      }
    } else if (sub.status === 'active') {
      const passed = settings.expiryDays.filter((d) => left <= d * DAY_MS);
      const days = passed.length ? Math.min(...passed) : undefined;
      if (days !== undefined) {
        out.push({ ...base, kind: 'expiring', days, dedupeKey: `reminder:expiring:${days}:${sub.id}:${period}` });
      }
    }
  }
  if (sub.status === 'active' && left > 0 && sub.trafficLimitBytes > 0) {
    const reached = settings.trafficPercents.filter((p) => sub.trafficUsedBytes * 100 >= sub.trafficLimitBytes * p);
    const percent = reached.length ? Math.max(...reached) : undefined;
    if (percent !== undefined) {
      out.push({ ...base, kind: 'traffic', percent, dedupeKey: `reminder:traffic:${percent}:${sub.id}:${period}` });
    }
  }
  return out;
}
