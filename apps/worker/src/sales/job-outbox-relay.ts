import { Injectable, Logger } from '@nestjs/common';
import { isJobName, JobOutbox } from '@botfleet/jobs';
import { JobOutboxStore } from '@botfleet/platform';

/**
 * The other half of JobOutbox: outbox rows older than `olderThanMs` belong to transactions whose process
 * died between the commit and queueing the job (a live process clears its rows within milliseconds). The
 * worker's sweeper relays them under their recorded job id, oldest first, across every bot (platform path).
 */
@Injectable()
export class JobOutboxRelay {
  private readonly logger = new Logger(JobOutboxRelay.name);

  constructor(
    private readonly store: JobOutboxStore,
    private readonly outbox: JobOutbox,
  ) {}

  async relayStale(olderThanMs: number, now = new Date(), limit = 500): Promise<number> {
    const rows = await this.store.writtenBefore(new Date(now.getTime() - olderThanMs), limit);
    let relayed = 0;
    for (const row of rows) {
      if (!isJobName(row.jobName)) {
        this.logger.error({ botId: row.botId, jobName: row.jobName }, 'outbox row names an unknown job; kept');
        continue;
      }
      try {
        await this.outbox.dispatch(row.botId, row.jobName, row.payload as never, row.jobId);
        relayed++;
      } catch (err) {
        this.logger.warn({ err, botId: row.botId }, 'relaying an outbox row failed; retried next sweep');
      }
    }
    return relayed;
  }
}
