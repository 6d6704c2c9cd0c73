import { Injectable } from '@nestjs/common';
import { ConfigurationsService } from '@botfleet/catalog';
import { SentNotificationRepository, TenantRepositories } from '@botfleet/dal';
import { AutoRenewals } from '../auto-renew/auto-renewals.service';
import { DueReminder, dueReminders, ResolvedReminderSettings, resolveReminderSettings } from './reminder-rules';

/**
 * Expiry and traffic reminders (issue 13 part 4). The scanner asks `due` for a subscription, `claim`s each
 * reminder before sending it (the unique once-key in `sent_notifications` lets exactly one worker through),
 * and `release`s it when the send failed so the next run tries again.
 */
@Injectable()
export class RemindersService {
  constructor(
    private readonly repos: TenantRepositories,
    private readonly configs: ConfigurationsService,
    private readonly sent: SentNotificationRepository,
    private readonly autoRenewals: AutoRenewals,
  ) {}

  async settings(botId: string): Promise<ResolvedReminderSettings> {
    return resolveReminderSettings(await this.configs.get(botId, 'reminders'));
  }

  /** The reminders due now for this subscription (none for one the auto-renewal is renewing this period). */
  async due(
    botId: string,
    subscriptionId: string,
    now: Date,
    settings?: ResolvedReminderSettings,
  ): Promise<DueReminder[]> {
    const sub = await this.repos.subscriptions.findById(botId, subscriptionId);
    if (!sub) return [];
    const due = dueReminders(sub, settings ?? (await this.settings(botId)), now);
    if (!due.some((r) => r.kind !== 'traffic') || !sub.autoRenew) return due;
    // Renewed from the wallet for this period already: no "it ends soon" for it.
    if (await this.autoRenewals.renewedThisPeriod(botId, sub)) return due.filter((r) => r.kind === 'traffic');
    return due;
  }

  claim(botId: string, r: Pick<DueReminder, 'userId' | 'subscriptionId' | 'kind' | 'dedupeKey'>): Promise<boolean> {
    return this.sent.claim(botId, {
      userId: r.userId,
      subscriptionId: r.subscriptionId,
      kind: `reminder_${r.kind}`,
      dedupeKey: r.dedupeKey,
    });
  }

  release(botId: string, dedupeKey: string): Promise<void> {
    return this.sent.release(botId, dedupeKey);
  }
}
