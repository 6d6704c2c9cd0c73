import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '@botfleet/common';
import { BotSelfRepository } from '@botfleet/dal';
import { AutoRenewals, Clock, RemindersService, ResolvedReminderSettings } from '@botfleet/growth';
import { JobName, OnJob } from '@botfleet/jobs';
import { RetentionCandidates } from '@botfleet/platform';
import { ReminderNotices } from '@botfleet/telegram';

/** Subscriptions read per round trip to the finder. */
const BATCH = 200;
/** A run stops after this many; the next run goes on (every decision is keyed, so nothing is done twice). */
const MAX_PER_RUN = 5_000;

export interface RetentionScanResult {
  renewed: number;
  reminded: number;
  short: number;
}

interface BotRound {
  active: boolean;
  daysBefore: number | null;
  settings: ResolvedReminderSettings;
}

/**
 * The periodic `ScanRetention` job (RETENTION_SCAN_INTERVAL_MS): for every subscription that may owe something
 * (RetentionCandidates, platform path), first the auto-renewal when due (AutoRenewals: paid from the wallet through
 * the sale's use cases, keyed per period), else a "top up" notice when the wallet is short; then the expiry and
 * traffic reminders. Every message is claimed in `sent_notifications` before it is sent (one worker wins the
 * key), and given back when the send fails, so two schedulers at once send each once. `run(now)` takes the
 * time from the caller: tests pass their own.
 */
@Injectable()
export class RetentionScanHandler {
  private readonly logger = new Logger(RetentionScanHandler.name);

  constructor(
    private readonly candidates: RetentionCandidates,
    private readonly botSelf: BotSelfRepository,
    private readonly autoRenewals: AutoRenewals,
    private readonly reminders: RemindersService,
    private readonly notices: ReminderNotices,
    private readonly clock: Clock,
  ) {}

  @OnJob({ name: JobName.ScanRetention })
  scan(): Promise<RetentionScanResult> {
    return this.run(this.clock.now());
  }

  async run(now: Date): Promise<RetentionScanResult> {
    const result: RetentionScanResult = { renewed: 0, reminded: 0, short: 0 };
    const bots = new Map<string, BotRound>();
    let after: string | undefined;
    let seen = 0;
    while (seen < MAX_PER_RUN) {
      const page = await this.candidates.page(now, BATCH, after);
      for (const { botId, subscriptionId } of page) {
        seen += 1;
        try {
          const round = bots.get(botId) ?? (await this.round(botId));
          bots.set(botId, round);
          if (round.active) await this.one(botId, subscriptionId, now, round, result);
        } catch (err) {
          this.logger.warn(
            `growth scan of subscription ${subscriptionId} (bot ${botId}) failed: ${describeError(err)}`,
          );
        }
      }
      if (page.length < BATCH) break;
      after = page[page.length - 1].subscriptionId;
    }
    return result;
  }

  private async round(botId: string): Promise<BotRound> {
    const bot = await this.botSelf.get(botId);
    const active = bot?.status === 'active';
    return {
      active,
      daysBefore: active ? await this.autoRenewals.daysBefore(botId) : null,
      settings: await this.reminders.settings(botId),
    };
  }

  private async one(
    botId: string,
    subscriptionId: string,
    now: Date,
    round: BotRound,
    result: RetentionScanResult,
  ): Promise<void> {
    const renewal = await this.autoRenewals.renewIfDue(botId, subscriptionId, now, round.daysBefore);
    if (renewal.kind === 'renewed') result.renewed += 1;
    if (renewal.kind === 'short') {
      const claim = { userId: renewal.userId, subscriptionId, kind: 'expiring' as const, dedupeKey: renewal.dedupeKey };
      if (await this.reminders.claim(botId, claim)) {
        await this.deliver(botId, renewal.dedupeKey, () =>
          this.notices.autoRenewShort(botId, renewal.userId, subscriptionId, renewal),
        );
        result.short += 1;
      }
    }
    for (const r of await this.reminders.due(botId, subscriptionId, now, round.settings)) {
      if (!(await this.reminders.claim(botId, r))) continue;
      if (await this.deliver(botId, r.dedupeKey, () => this.notices.reminder(r, round.settings))) result.reminded += 1;
    }
  }

  /** Sends a claimed message; a failure gives the claim back (the next run tries again) and is logged. */
  private async deliver(botId: string, dedupeKey: string, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (err) {
      await this.reminders.release(botId, dedupeKey);
      this.logger.warn(`growth notice ${dedupeKey} (bot ${botId}) not sent, retried next run: ${describeError(err)}`);
      return false;
    }
  }
}
