import { Injectable } from '@nestjs/common';
import { AdminAccessService } from '@botfleet/bots';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { SubscriptionEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { JobName, JobOutbox, jobIdFor } from '@botfleet/jobs';

/** Presses within this window resend a subscription's link once (a double tap, a double click). */
export const RESEND_WINDOW_MS = 60_000;

/** A subscription whose link can be sent again: active on its panel, with a link. */
export function isResendable(sub: Pick<SubscriptionEntity, 'status' | 'subscriptionUrl'>): boolean {
  return sub.status === 'active' && !!sub.subscriptionUrl;
}

/**
 * "Resend link" (the bot's /admin customer card and POST …/subscriptions/{id}/resend): the customer gets their
 * subscription's link and QR code again, in their language, as the delivery shows them. The send is the worker's
 * DeliverSubscription job (the messenger's retries; a blocked bot is skipped), keyed by the subscription and the
 * minute, so presses within a minute send it once. Only an active subscription with a link: pending, failed,
 * expired and disabled ones have nothing to send (409 CONFLICT).
 */
@Injectable()
export class ResendSubscriptionLinkUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly access: AdminAccessService,
    private readonly outbox: JobOutbox,
  ) {}

  async execute(input: { botId: string; subscriptionId: string; actor: Actor }): Promise<SubscriptionEntity> {
    const { botId, subscriptionId, actor } = input;
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'users');
      const sub = await this.repos.subscriptions.findById(botId, subscriptionId);
      if (!sub) throw new DomainError(ErrorCode.NOT_FOUND, 'Subscription not found');
      if (!isResendable(sub)) {
        throw new DomainError(
          ErrorCode.CONFLICT,
          `This subscription is ${sub.status}: only an active subscription's link can be sent again`,
        );
      }
      await this.queue(botId, sub.id);
      return sub;
    });
  }

  /** Every resendable subscription of the customer, sent again; how many (0: nothing to send). */
  async forUser(input: { botId: string; userId: string; actor: Actor }): Promise<number> {
    const { botId, userId, actor } = input;
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'users');
      const subs = (await this.repos.subscriptions.find(botId, { where: { userId } })).filter(isResendable);
      for (const sub of subs) await this.queue(botId, sub.id);
      return subs.length;
    });
  }

  private async queue(botId: string, subscriptionId: string): Promise<void> {
    const window = String(Math.floor(Date.now() / RESEND_WINDOW_MS));
    await this.outbox.add(
      botId,
      JobName.DeliverSubscription,
      { botId, subscriptionId, resend: window },
      jobIdFor(JobName.DeliverSubscription, [botId, subscriptionId, 'resend', window]),
    );
  }
}
