import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobName, JobPayloads } from './queue-names';

/** Metadata keys the worker's job runner reads when it discovers handlers at boot. */
export const JOB_HANDLER_METADATA = 'botfleet:job-handler';
export const JOB_FINAL_FAILURE_METADATA = 'botfleet:job-final-failure';

export interface OnJobOptions<J extends JobName> {
  name: J;
}

/** What a job handler is given: the typed payload first, the BullMQ job for its id and attempts. */
export type JobHandler<J extends JobName> = (payload: JobPayloads[J], job: Job<JobPayloads[J]>) => Promise<unknown>;

/**
 * A final-failure hook's answer: `failed` (or nothing) = the failure is recorded and people are told, the
 * job ends failed; `succeeded` = on a closer look the work was done, the job ends completed.
 */
export type FinalFailureOutcome = 'failed' | 'succeeded' | void;

export type FinalFailureHook<J extends JobName> = (
  payload: JobPayloads[J],
  error: Error,
  job: Job<JobPayloads[J]>,
) => Promise<FinalFailureOutcome>;

type MethodDecoratorFor<F> = <T extends F>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<T>,
) => void;

/**
 * Marks the method that runs every job of this name. The worker finds it at boot and refuses to start
 * when a job name has no handler or two. Metadata only: which queue follows from JOB_QUEUE.
 */
export function OnJob<J extends JobName>(options: OnJobOptions<J>): MethodDecoratorFor<JobHandler<J>> {
  return SetMetadata(JOB_HANDLER_METADATA, options.name);
}

/**
 * Marks the method the runner calls once a job of this name has failed for good (its last attempt, an
 * `UnrecoverableError`, or stalled too often): it marks the record failed and tells someone. It may run more
 * than once for one job (every worker hears a stalled job fail), so it must be idempotent.
 */
export function OnJobFinalFailure<J extends JobName>(
  options: OnJobOptions<J>,
): MethodDecoratorFor<FinalFailureHook<J>> {
  return SetMetadata(JOB_FINAL_FAILURE_METADATA, options.name);
}
