import { Injectable, Logger } from '@nestjs/common';
import { JobOutboxRepository, TenantDb } from '@botfleet/dal';
import { JobQueue } from './job-queue.service';
import { JobName, JobPayloads } from './queue-names';

const JOB_NAMES = new Set<string>(Object.values(JobName));

export function isJobName(name: string): name is JobName {
  return JOB_NAMES.has(name);
}

/**
 * Transactional outbox for queue jobs that announce a change (RELIABILITY.md 12: a worker killed at any
 * point loses nothing). Inside a tenant transaction, `add` writes the job to `job_outbox` with the change;
 * after the commit it goes to BullMQ and the row is deleted. If the process dies between the commit and
 * that, the row survives and the worker's sweeper relays it under the same job id (BullMQ keeps a finished
 * job's id for an hour, so a job that did get queued is not queued twice). A rollback takes the row with it:
 * no job for a change that did not happen. Outside a transaction it queues at once.
 */
@Injectable()
export class JobOutbox {
  private readonly logger = new Logger(JobOutbox.name);

  constructor(
    private readonly db: TenantDb,
    private readonly rows: JobOutboxRepository,
    private readonly jobs: JobQueue,
  ) {}

  async add<J extends JobName>(botId: string, name: J, payload: JobPayloads[J], jobId: string): Promise<void> {
    const tx = this.db.current();
    if (!tx || tx.botId !== botId) {
      await this.jobs.add(name, payload, { jobId });
      return;
    }
    await this.rows.record(botId, name, jobId, payload);
    tx.afterCommit(() => this.dispatch(botId, name, payload, jobId));
  }

  /** Queues a job written to the outbox, then forgets the row (also used by the relay). */
  async dispatch<J extends JobName>(botId: string, name: J, payload: JobPayloads[J], jobId: string): Promise<void> {
    await this.jobs.add(name, payload, { jobId });
    await this.rows.forget(botId, jobId).catch((err: unknown) =>
      // The job is queued; the row is relayed again later and dropped by BullMQ's job id.
      this.logger.warn({ err, botId, jobId }, 'could not clear an outbox row'),
    );
  }
}
