import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '@botfleet/common';
import { JobName, OnJob } from '@botfleet/jobs';
import { SubscriptionExpiries } from '@botfleet/platform';
import { ProvisioningService } from '@botfleet/provisioning';

/** Subscriptions handled per round trip to the finder; a round goes on until none is left. */
const BATCH = 200;
/** A round stops after this many, so one run never holds the queue for long; the next run goes on. */
const MAX_PER_RUN = 5_000;

/**
 * The periodic `ExpireSubscriptions` job (every `SUBSCRIPTION_EXPIRY_INTERVAL_MS`): finds active
 * subscriptions past their end across every bot (platform path) and expires each in its own bot's
 * transaction, which also queues the switch-off on the panel (DisableSubscription, through the outbox).
 * One subscription failing (its bot's database row locked by a renewal, say) does not stop the others;
 * it is found again on the next run.
 */
@Injectable()
export class SubscriptionExpiryHandler {
  private readonly logger = new Logger(SubscriptionExpiryHandler.name);

  constructor(
    private readonly expiries: SubscriptionExpiries,
    private readonly provisioning: ProvisioningService,
  ) {}

  @OnJob({ name: JobName.ExpireSubscriptions })
  async expireDue(): Promise<{ expired: number }> {
    let expired = 0;
    let seen = 0;
    // Ones that failed (or that something else changed meanwhile) are not asked for again in this run.
    const skipped = new Set<string>();
    while (seen < MAX_PER_RUN) {
      const due = (await this.expiries.due(BATCH + skipped.size)).filter((d) => !skipped.has(d.subscriptionId));
      if (due.length === 0) break;
      for (const { botId, subscriptionId } of due) {
        seen += 1;
        try {
          if (await this.provisioning.expire(botId, subscriptionId)) expired += 1;
          else skipped.add(subscriptionId);
        } catch (err) {
          skipped.add(subscriptionId);
          this.logger.warn(`could not expire subscription ${subscriptionId} of bot ${botId}: ${describeError(err)}`);
        }
      }
      if (due.length < BATCH) break;
    }
    return { expired };
  }
}
