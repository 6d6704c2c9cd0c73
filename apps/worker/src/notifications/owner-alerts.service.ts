import { Injectable } from '@nestjs/common';
import { JobName, JobQueue, jobIdFor } from '@botfleet/jobs';

/**
 * Alerts to a bot's owner, as NotifyOwner jobs (their private chat with the bot). Job ids are deterministic,
 * so the same alert raised twice (a final-failure hook heard by several workers) is sent once.
 */
@Injectable()
export class OwnerAlerts {
  constructor(private readonly jobs: JobQueue) {}

  /** A notice that failed for good: `notice` says which one, `ref` names the payment or order it was about. */
  async noticeUndelivered(botId: string, notice: string, ref: string): Promise<void> {
    await this.jobs.add(
      JobName.NotifyOwner,
      { botId, kind: 'notice_undelivered', data: { notice, ref } },
      { jobId: jobIdFor(JobName.NotifyOwner, [botId, 'notice_undelivered', notice, ref]) },
    );
  }
}
