import { Injectable } from '@nestjs/common';
import { toWholesaleView, WholesalePriceView } from '@botfleet/billing';
import { BotEventsPublisher, BotStatus, BotView, toBotView } from '@botfleet/bots';
import { FeaturesService, FeatureView } from '@botfleet/catalog';
import { Actor, DomainError, ErrorCode, Page, pageOf, pageOffset } from '@botfleet/common';
import { JobName, JobOutbox, JobPayloads, jobIdFor } from '@botfleet/jobs';
import { uniqueViolation } from '@botfleet/dal';
import {
  BotDirectory,
  ConsoleSessionsRepository,
  FeatureAllowancesRepository,
  JobOutboxStore,
  PlatformDb,
  WholesalePricesRepository,
} from '@botfleet/platform';
import { OperatorAuditService } from '../operator-audit.service';

export interface BotSummary extends BotView {
  salesCount: number;
  revenueMinor: number;
}

export interface BotListQuery {
  page: number;
  pageSize: number;
  status?: BotStatus;
  search?: string;
}

const notFound = () => new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');

const restoredNotice = (botId: string): JobPayloads[JobName.NotifyOwner] => ({ botId, kind: 'restored' });
const restoredNoticeId = (view: BotView) =>
  jobIdFor(JobName.NotifyOwner, [view.id, 'restored', new Date(view.updatedAt).getTime()]);

type Holder = { id: string | null; name: string | null; status: string | null; telegramUsername: string | null };

/** A deleted bot cannot come back while a live tenant holds its Telegram bot: the answer names that tenant. */
const takenBy = (holder: Holder) =>
  new DomainError(
    ErrorCode.BOT_TOKEN_TAKEN,
    holder.id
      ? `This Telegram bot now belongs to another tenant, "${holder.name}" (${holder.id}); it cannot be restored while that tenant exists`
      : 'This Telegram bot now belongs to another tenant; it cannot be restored while that tenant exists',
    {
      takenBy: {
        botId: holder.id,
        name: holder.name,
        status: holder.status,
        telegramUsername: holder.telegramUsername,
      },
    },
  );

/**
 * The operator's view and levers over every tenant (platform path): the bots list, suspend and
 * resume, which features a bot may enable, and its wholesale price. Every change writes
 * `admin_audit_log` and the bot's own audit log.
 */
@Injectable()
export class BotAdminService {
  constructor(
    private readonly platform: PlatformDb,
    private readonly directory: BotDirectory,
    private readonly prices: WholesalePricesRepository,
    private readonly allowances: FeatureAllowancesRepository,
    private readonly audit: OperatorAuditService,
    private readonly features: FeaturesService,
    private readonly events: BotEventsPublisher,
    private readonly outboxRows: JobOutboxStore,
    private readonly outbox: JobOutbox,
    private readonly sessions: ConsoleSessionsRepository,
  ) {}

  async list(q: BotListQuery): Promise<Page<BotSummary>> {
    const [bots, total] = await this.directory.page({
      skip: pageOffset(q.page, q.pageSize),
      take: q.pageSize,
      status: q.status,
      search: q.search,
    });
    const sales = await this.directory.salesOf(bots.map((b) => b.id));
    const items = bots.map((b) => ({
      ...toBotView(b),
      salesCount: sales.get(b.id)?.count ?? 0,
      revenueMinor: sales.get(b.id)?.revenue ?? 0,
    }));
    return pageOf(items, total, q.page, q.pageSize);
  }

  /** `reason` (the master bot asks for one) is kept in both audit rows. */
  suspend(botId: string, actor: Actor, reason?: string): Promise<BotView> {
    return this.setPlatformStatus(botId, 'suspended', actor, reason);
  }

  resume(botId: string, actor: Actor): Promise<BotView> {
    return this.setPlatformStatus(botId, 'active', actor);
  }

  private async setPlatformStatus(
    botId: string,
    target: 'suspended' | 'active',
    actor: Actor,
    reason?: string,
  ): Promise<BotView> {
    const result = await this.platform.transaction(async (m) => {
      const bot = await this.directory.lock(m, botId);
      if (!bot || bot.status === 'deleted') throw notFound();
      // Suspending twice, or resuming a bot that is not suspended, changes nothing.
      if (target === 'suspended' ? bot.status === 'suspended' : bot.status !== 'suspended') {
        return { view: toBotView(bot), changed: false, notice: undefined };
      }
      await this.directory.setStatus(m, botId, target);
      const view = toBotView(await this.directory.get(m, botId));
      const entry = {
        action: target === 'suspended' ? 'bot.suspended' : 'bot.resumed',
        targetType: 'bot',
        targetId: botId,
        before: { status: bot.status },
        after: reason ? { status: target, reason } : { status: target },
      };
      await this.audit.operator(m, actor, { ...entry, targetBotId: botId });
      await this.audit.tenant(m, botId, actor, entry);
      // The owner hears of the decision in their own bot, whoever made it (REST or the master bot): written
      // with the change, so it is never lost and, by its job id (the change), never sent twice.
      const kind = target === 'suspended' ? 'suspended' : 'resumed';
      const notice: JobPayloads[JobName.NotifyOwner] = { botId, kind, ...(reason ? { data: { reason } } : {}) };
      const jobId = jobIdFor(JobName.NotifyOwner, [botId, kind, new Date(view.updatedAt).getTime()]);
      await this.outboxRows.record(m, botId, JobName.NotifyOwner, jobId, notice);
      return { view, changed: true, notice: { jobId, payload: notice } };
    });
    if (result.changed) {
      await this.events.publish(botId, target === 'suspended' ? 'suspended' : 'resumed');
      // Queued now; if this fails, the worker's outbox relay queues it under the same job id.
      await this.outbox
        .dispatch(botId, JobName.NotifyOwner, result.notice!.payload, result.notice!.jobId)
        .catch(() => undefined);
    }
    return result.view;
  }

  /**
   * Brings a deleted bot back, `paused` (its owner resumes it), with every row it had: customers, wallets,
   * subscriptions, tickets, plans. Deleting cleared its API token and that stays so (a new one is issued by a
   * rotation: the owner in the console, or the operator); its console sessions are ended (they sign in again).
   * Its Telegram token is the one it had, kept encrypted: if Telegram no longer accepts it, the worker's checks
   * mark the bot token_invalid once it runs. NOT_FOUND for an unknown bot, CONFLICT when it is not deleted,
   * BOT_TOKEN_TAKEN (details.takenBy) when a live tenant now holds the same Telegram bot.
   */
  async restore(botId: string, actor: Actor): Promise<BotView> {
    let view: BotView;
    try {
      view = await this.platform.transaction(async (m) => {
        const bot = await this.directory.lock(m, botId);
        if (!bot || bot.isMaster) throw notFound();
        if (bot.status !== 'deleted') {
          throw new DomainError(ErrorCode.CONFLICT, `Only a deleted bot can be restored; this one is ${bot.status}`, {
            status: bot.status,
          });
        }
        const holder = await this.directory.liveHolderOf(m, bot.telegramBotId, bot.telegramTokenHash, botId);
        if (holder) throw takenBy(holder);
        await this.directory.undelete(m, botId);
        const sessionsEnded = await this.sessions.revokeAllOfBot(m, botId);
        const restored = toBotView(await this.directory.get(m, botId));
        const entry = {
          action: 'bot.restored',
          targetType: 'bot',
          targetId: botId,
          before: { status: 'deleted', deletedAt: bot.deletedAt?.toISOString() ?? null },
          after: { status: restored.status, sessionsEnded },
        };
        await this.audit.operator(m, actor, { ...entry, targetBotId: botId });
        await this.audit.tenant(m, botId, actor, entry);
        // The owner hears that the shop is back (through the master bot): written with the change, so never lost,
        // and, by its job id (this restore), never sent twice.
        await this.outboxRows.record(m, botId, JobName.NotifyOwner, restoredNoticeId(restored), restoredNotice(botId));
        return restored;
      });
    } catch (err) {
      // Another tenant took this Telegram bot between the check and the write (an onboarding racing the restore).
      const constraint = uniqueViolation(err);
      if (constraint !== undefined && /telegram_(token_hash|bot_id)/.test(constraint)) {
        const again = await this.platform.transaction(async (m) => {
          const bot = await this.directory.get(m, botId);
          return this.directory.liveHolderOf(m, bot.telegramBotId, bot.telegramTokenHash, botId);
        });
        throw takenBy(again ?? { id: null, name: null, status: null, telegramUsername: null });
      }
      throw err;
    }
    // Every process forgets what it remembered about this bot; the worker leaves it stopped (paused).
    await this.events.publish(botId, 'paused');
    // Queued now; if this fails, the worker's outbox relay queues it under the same job id.
    await this.outbox
      .dispatch(botId, JobName.NotifyOwner, restoredNotice(botId), restoredNoticeId(view))
      .catch(() => undefined);
    return view;
  }

  /** The operator allows or forbids a feature key for a bot; forbidding also switches it off. */
  async setFeatureAllowed(botId: string, key: string, allowed: boolean, actor: Actor): Promise<FeatureView> {
    this.features.assertKey(key);
    // The application role only reads allowances: the operator writes them on the platform role, with both
    // audit rows in the same transaction.
    const before = await this.features.get(botId, key);
    await this.platform.transaction(async (m) => {
      await this.allowances.set(m, botId, key, allowed);
      const entry = {
        action: 'feature.allowance_set',
        targetType: 'feature',
        targetId: key,
        before: { allowed: before.allowed, enabled: before.enabled },
        after: { allowed, enabled: allowed && before.enabled },
      };
      await this.audit.tenant(m, botId, actor, entry);
      await this.audit.operator(m, actor, { ...entry, targetBotId: botId });
    });
    const view = await this.features.get(botId, key);
    if (before.enabled !== view.enabled) await this.events.publish(botId, 'changed');
    return view;
  }

  async getWholesalePrice(botId: string): Promise<WholesalePriceView> {
    return toWholesaleView(await this.prices.get(botId));
  }

  async setWholesalePrice(
    botId: string,
    price: Omit<WholesalePriceView, 'updatedAt' | 'trialMinor'> & { trialMinor?: number },
    actor: Actor,
  ): Promise<WholesalePriceView> {
    return this.platform.transaction(async (m) => {
      const bot = await this.directory.lock(m, botId);
      if (!bot || bot.status === 'deleted') throw notFound();
      const before = toWholesaleView(await this.prices.get(botId, m));
      await this.prices.upsert(m, botId, price);
      const after = toWholesaleView(await this.prices.get(botId, m));
      const entry = { action: 'wholesale_price.set', targetType: 'wholesale_price', targetId: botId, before, after };
      await this.audit.operator(m, actor, { ...entry, targetBotId: botId });
      await this.audit.tenant(m, botId, actor, entry);
      return after;
    });
  }
}
