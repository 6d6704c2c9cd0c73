import type { DefaultJobOptions, JobsOptions } from 'bullmq';
import { JobName } from './queue-names';

/** Defaults in one place (STYLE.md): retries with exponential backoff, keep failures for inspection. */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * Provisioning retries for about an hour (issue 5). BullMQ waits base·2^(n-1) before the n-th retry,
 * so 12 attempts with a 2 s base wait 2 s·(2^11 − 1) ≈ 68 minutes in total.
 */
export const PROVISIONING_JOB_OPTIONS: DefaultJobOptions = {
  ...DEFAULT_JOB_OPTIONS,
  attempts: 12,
  backoff: { type: 'exponential', delay: 2_000 },
};

/** The provisioning defaults with attempts and backoff base from the config (tests shrink them to seconds). */
export function provisioningJobOptions(attempts: number, backoffMs: number): DefaultJobOptions {
  return { ...PROVISIONING_JOB_OPTIONS, attempts, backoff: { type: 'exponential', delay: backoffMs } };
}

/**
 * Notices that carry money or a decision (RELIABILITY.md 6b) retry for hours: 12 attempts with a 10 s base
 * wait 10 s·(2^11 − 1) ≈ 5.7 hours in total before the final-failure hook tells the owner.
 */
export const NOTICE_JOB_OPTIONS: DefaultJobOptions = {
  ...DEFAULT_JOB_OPTIONS,
  attempts: 12,
  backoff: { type: 'exponential', delay: 10_000 },
};

/** The notice defaults with attempts and backoff base from the config (tests shrink them to seconds). */
export function noticeJobOptions(attempts: number, backoffMs: number): DefaultJobOptions {
  return { ...NOTICE_JOB_OPTIONS, attempts, backoff: { type: 'exponential', delay: backoffMs } };
}

/**
 * Options of single job names over their queue's defaults, applied by JobQueue to every add of that name — the job
 * outbox and its relay included, which carry no options of their own.
 * - ApplyStarsRefund (a Telegram Stars refund our side refused while the order is still being fulfilled) outlasts
 *   provisioning's own retries: the same backoff base with 4 more attempts waits 16 times as long (≈ 18 h by
 *   default), and its first try waits one backoff.
 */
export function jobOptionsByName(
  provisioningAttempts: number,
  provisioningBackoffMs: number,
): Partial<Record<JobName, JobsOptions>> {
  return {
    [JobName.ApplyStarsRefund]: {
      delay: provisioningBackoffMs,
      attempts: provisioningAttempts + 4,
      backoff: { type: 'exponential', delay: provisioningBackoffMs },
    },
  };
}

/** Deterministic job ids where a duplicate would be harmful; BullMQ ignores a second add with the same id. */
export function jobIdFor(name: JobName, parts: (string | number)[]): string {
  // BullMQ forbids ':' inside custom ids only when they look like integers; keep ids readable and safe.
  return `${name}__${parts.join('__')}`;
}
