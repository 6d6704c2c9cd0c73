import { Injectable } from '@nestjs/common';
import { JobName, JobOutbox, JobPayloads, jobIdFor } from '@botfleet/jobs';

export type SupportEvent = JobPayloads[JobName.SupportNotification]['event'];

/**
 * Tells people about a ticket once its change commits: one notifications job per event, written to the job
 * outbox in the change's transaction (a crash after the commit cannot lose a customer's message), with a
 * deterministic id per message (a replayed request or update does not post twice). The worker posts to the
 * admin chat and writes to the customer (libs/telegram/src/support). Call it inside the change's transaction.
 */
@Injectable()
export class SupportNotifier {
  constructor(private readonly outbox: JobOutbox) {}

  async notify(botId: string, event: SupportEvent, ticketId: string, messageId?: string): Promise<void> {
    await this.outbox.add(
      botId,
      JobName.SupportNotification,
      { botId, event, ticketId, ...(messageId ? { messageId } : {}) },
      jobIdFor(JobName.SupportNotification, [botId, messageId ?? ticketId, event]),
    );
  }
}
