import { Injectable, Logger } from '@nestjs/common';
import { isJobName, JobOutbox } from '@botfleet/jobs';
import { PlatformDb } from '../platform-db';

/**
 * The other half of JobOutbox: outbox rows older than `olderThanMs` belong to transactions whose process
 * died between the commit and queueing the job (a live process clears its rows within milliseconds). The
 * worker's sweeper relays them under their recorded job id, oldest first, across every bot (platform path).
 */
@Injectable()
export class JobOutboxRelay {
  private readonly logger = new Logger(JobOutboxRelay.name);

  constructor(
    private readonly platform: PlatformDb,
    private readonly outbox: JobOutbox,
  ) {}

  async relayStale(olderThanMs: number, now = new Date(), limit = 500): Promise<number> {
    const rows: { bot_id: string; job_name: string; job_id: string; payload: Record<string, unknown> }[] =
      await this.platform.manager.query(
        `SELECT bot_id, job_name, job_id, payload FROM job_outbox WHERE created_at <= $1 ORDER BY created_at LIMIT $2`,
        [new Date(now.getTime() - olderThanMs), limit],
      );
    let relayed = 0;
    for (const row of rows) {
      if (!isJobName(row.job_name)) {
        this.logger.error({ botId: row.bot_id, jobName: row.job_name }, 'outbox row names an unknown job; kept');
        continue;
      }
      try {
        await this.outbox.dispatch(row.bot_id, row.job_name, row.payload as never, row.job_id);
        relayed++;
      } catch (err) {
        this.logger.warn({ err, botId: row.bot_id }, 'relaying an outbox row failed; retried next sweep');
      }
    }
    return relayed;
  }
}
