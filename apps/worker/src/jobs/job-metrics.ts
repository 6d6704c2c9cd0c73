import { Counter, Gauge } from 'prom-client';

/** Jobs that failed for good (their last attempt, an unrecoverable error, or stalled too often), by queue and name. */
export const jobsFailedForGood = new Counter({
  name: 'botfleet_jobs_failed_for_good_total',
  help: 'Jobs that failed for good, by queue and job name (provisioning failures are queue="provisioning")',
  labelNames: ['queue', 'name'],
});

type JobCounts = { queue: string; counts: Record<string, number> }[];
let countJobs: (() => Promise<JobCounts>) | null = null;

/** How the running worker counts its queues' jobs at scrape time (the last worker app booted in a process). */
export function countQueueJobsWith(fn: (() => Promise<JobCounts>) | null): void {
  countJobs = fn;
}

/** Jobs per queue and state, read from Redis when /metrics is scraped (the backlog alert's input). */
export const queueJobs = new Gauge({
  name: 'botfleet_queue_jobs',
  help: 'Jobs in each queue by state (waiting, delayed, active, failed), read at scrape time',
  labelNames: ['queue', 'state'],
  async collect() {
    if (!countJobs) return;
    this.reset();
    for (const { queue, counts } of await countJobs().catch(() => [])) {
      for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
    }
  },
});
