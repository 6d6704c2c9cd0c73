import { Injectable } from '@nestjs/common';
import { JobName, JobOutbox, JobPayloads, jobIdFor } from '@botfleet/jobs';

export type PaymentEvent = JobPayloads[JobName.PaymentNotification]['event'];

/**
 * Tells a buyer what became of a gateway payment, once the change commits: one job per payment and event
 * (deterministic id: a replay does not tell twice), written to the job outbox in the change's own transaction.
 * A payment that paid its order needs no message of its own: the delivered subscription is the message.
 */
@Injectable()
export class PaymentNotifier {
  constructor(private readonly outbox: JobOutbox) {}

  async notify(botId: string, paymentId: string, event: PaymentEvent): Promise<void> {
    await this.outbox.add(
      botId,
      JobName.PaymentNotification,
      { botId, paymentId, event },
      jobIdFor(JobName.PaymentNotification, [botId, paymentId, event]),
    );
  }
}
