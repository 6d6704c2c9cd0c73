import { Injectable } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { AdminAccessService } from '@botfleet/bots';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { SubscriptionEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { JobName, JobOutbox, jobIdFor } from '@botfleet/jobs';

/** The DisableSubscription reason of a subscription the shop switched off by hand. */
export const SUBSCRIPTION_DISABLED_BY_HAND = 'disabled_by_the_shop';

/**
 * A subscription switched off by hand (abuse, a chargeback, a customer's request): the switch-off on the panel is
 * queued through the job outbox in the same transaction as the audit entry, under the subscription's row lock, and
 * the worker's DisableSubscription job turns the account off and marks the subscription `disabled` (a retried job
 * does nothing twice). A later renewal switches it on again, as it does after an expiry.
 */
@Injectable()
export class SubscriptionSwitchService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly access: AdminAccessService,
    private readonly outbox: JobOutbox,
    private readonly audit: AuditService,
  ) {}

  async disable(botId: string, subscriptionId: string, reason: string, actor: Actor): Promise<SubscriptionEntity> {
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'users');
      const sub = await this.repos.subscriptions.findById(botId, subscriptionId, 'pessimistic_write');
      if (!sub) throw new DomainError(ErrorCode.NOT_FOUND, 'Subscription not found');
      if (sub.status === 'disabled') throw new DomainError(ErrorCode.CONFLICT, 'This subscription is disabled already');
      if (sub.status === 'pending' || sub.status === 'failed') {
        throw new DomainError(
          ErrorCode.CONFLICT,
          `This subscription is ${sub.status}: it has no account to switch off`,
        );
      }
      await this.outbox.add(
        botId,
        JobName.DisableSubscription,
        { botId, subscriptionId: sub.id, reason: SUBSCRIPTION_DISABLED_BY_HAND },
        // One switch-off per subscription and paid-up end: a double press (both see it still active, the job has
        // not run yet) queues it once; after a renewal (a new end) it can be switched off again.
        jobIdFor(JobName.DisableSubscription, [botId, sub.id, 'by-hand', sub.expiresAt?.getTime() ?? 0]),
      );
      await this.audit.record(botId, {
        actor,
        action: 'subscription.disable',
        targetType: 'subscription',
        targetId: sub.id,
        before: { status: sub.status },
        after: { status: 'disabled', reason },
      });
      return sub;
    });
  }
}
