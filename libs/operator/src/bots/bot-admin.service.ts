import { Injectable } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { FeaturesService, FeatureView } from '@botfleet/catalog';
import { DomainError, ErrorCode } from '@botfleet/common';
import { BotEntity, TenantDb, WholesalePriceEntity } from '@botfleet/dal';
import { Actor } from '../actor';
import { PlatformDb } from '../platform-db';
import { PlatformAuditService } from '../platform-audit.service';
import { Page, toWholesaleView, WholesalePriceView } from '../wallet/tenant-wallet.service';
import { BotEventsPublisher } from './bot-events.publisher';
import { BotStatus, BotView, toBotView } from './bot-view';

/** Orders that count as sales: paid, whatever happened to fulfilment since, but not refunded. */
export const SOLD_ORDER_STATUSES = `('paid','fulfilling','fulfilled')`;

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

/**
 * The operator's view and levers over every tenant (platform path): the bots list, suspend and
 * resume, which features a bot may enable, and its wholesale price. Every change writes
 * `admin_audit_log` and the bot's own audit log.
 */
@Injectable()
export class BotAdminService {
  constructor(
    private readonly platform: PlatformDb,
    private readonly tenantDb: TenantDb,
    private readonly audit: PlatformAuditService,
    private readonly tenantAudit: AuditService,
    private readonly features: FeaturesService,
    private readonly events: BotEventsPublisher,
  ) {}

  async list(q: BotListQuery): Promise<Page<BotSummary>> {
    const qb = this.platform.manager.createQueryBuilder(BotEntity, 'b');
    if (q.status) qb.andWhere('b.status = :status', { status: q.status });
    else qb.andWhere(`b.status <> 'deleted'`);
    if (q.search) {
      const like = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere('(b.name ILIKE :like OR b.telegramUsername ILIKE :like)', { like });
    }
    const [bots, total] = await qb
      .orderBy('b.createdAt', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .skip((q.page - 1) * q.pageSize)
      .take(q.pageSize)
      .getManyAndCount();
    const sales = new Map<string, { count: number; revenue: number }>();
    if (bots.length) {
      // One grouped query for the page only (orders is indexed by bot_id first).
      const rows: { bot_id: string; count: string; revenue: string }[] = await this.platform.manager.query(
        `SELECT bot_id, count(*) AS count, coalesce(sum(amount_minor), 0) AS revenue FROM orders
         WHERE bot_id = ANY($1::uuid[]) AND status IN ${SOLD_ORDER_STATUSES} GROUP BY bot_id`,
        [bots.map((b) => b.id)],
      );
      for (const r of rows) sales.set(r.bot_id, { count: Number(r.count), revenue: Number(r.revenue) });
    }
    return {
      items: bots.map((b) => ({
        ...toBotView(b),
        salesCount: sales.get(b.id)?.count ?? 0,
        revenueMinor: sales.get(b.id)?.revenue ?? 0,
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  suspend(botId: string, actor: Actor): Promise<BotView> {
    return this.setPlatformStatus(botId, 'suspended', actor);
  }

  resume(botId: string, actor: Actor): Promise<BotView> {
    return this.setPlatformStatus(botId, 'active', actor);
  }

  private async setPlatformStatus(botId: string, target: 'suspended' | 'active', actor: Actor): Promise<BotView> {
    const result = await this.platform.transaction(async (m) => {
      const bot = await m.findOne(BotEntity, { where: { id: botId }, lock: { mode: 'pessimistic_write' } });
      if (!bot || bot.status === 'deleted') throw notFound();
      // Suspending twice, or resuming a bot that is not suspended, changes nothing.
      if (target === 'suspended' ? bot.status === 'suspended' : bot.status !== 'suspended') {
        return { view: toBotView(bot), changed: false };
      }
      await m.update(BotEntity, { id: botId }, { status: target });
      const view = toBotView(await m.findOneByOrFail(BotEntity, { id: botId }));
      const entry = {
        action: target === 'suspended' ? 'bot.suspended' : 'bot.resumed',
        targetType: 'bot',
        targetId: botId,
        before: { status: bot.status },
        after: { status: target },
      };
      await this.audit.operator(m, actor, { ...entry, targetBotId: botId });
      await this.audit.tenant(m, botId, { ...actor, ...entry });
      return { view, changed: true };
    });
    if (result.changed) await this.events.publish(botId, target === 'suspended' ? 'suspended' : 'resumed');
    return result.view;
  }

  /** The operator allows or forbids a feature key for a bot; forbidding also switches it off. */
  async setFeatureAllowed(botId: string, key: string, allowed: boolean, actor: Actor): Promise<FeatureView> {
    this.features.assertKey(key);
    const { view, before } = await this.tenantDb.run(botId, async () => {
      const before = await this.features.get(botId, key);
      const view = await this.features.setAllowed(botId, key, allowed);
      await this.tenantAudit.record(botId, {
        ...actor,
        action: 'feature.allowance_set',
        targetType: 'feature',
        targetId: key,
        before: { allowed: before.allowed, enabled: before.enabled },
        after: { allowed: view.allowed, enabled: view.enabled },
      });
      return { view, before };
    });
    await this.platform.transaction((m) =>
      this.audit.operator(m, actor, {
        action: 'feature.allowance_set',
        targetType: 'feature',
        targetId: key,
        targetBotId: botId,
        before: { allowed: before.allowed, enabled: before.enabled },
        after: { allowed: view.allowed, enabled: view.enabled },
      }),
    );
    if (before.enabled !== view.enabled) await this.events.publish(botId, 'changed');
    return view;
  }

  async getWholesalePrice(botId: string): Promise<WholesalePriceView> {
    return toWholesaleView(await this.platform.manager.findOneBy(WholesalePriceEntity, { botId }));
  }

  async setWholesalePrice(
    botId: string,
    price: Omit<WholesalePriceView, 'updatedAt'>,
    actor: Actor,
  ): Promise<WholesalePriceView> {
    return this.platform.transaction(async (m) => {
      const bot = await m.findOne(BotEntity, { where: { id: botId }, lock: { mode: 'pessimistic_write' } });
      if (!bot || bot.status === 'deleted') throw notFound();
      const before = toWholesaleView(await m.findOneBy(WholesalePriceEntity, { botId }));
      await m.query(
        `INSERT INTO wholesale_prices (bot_id, per_plan_minor, per_gb_minor, per_day_minor, unlimited_traffic_gb)
         VALUES ($1,$2,$3,$4,$5)
         ON CONFLICT (bot_id) DO UPDATE SET per_plan_minor = EXCLUDED.per_plan_minor,
           per_gb_minor = EXCLUDED.per_gb_minor, per_day_minor = EXCLUDED.per_day_minor,
           unlimited_traffic_gb = EXCLUDED.unlimited_traffic_gb, updated_at = now()`,
        [botId, price.perPlanMinor, price.perGbMinor, price.perDayMinor, price.unlimitedTrafficGb],
      );
      const after = toWholesaleView(await m.findOneBy(WholesalePriceEntity, { botId }));
      const entry = { action: 'wholesale_price.set', targetType: 'wholesale_price', targetId: botId, before, after };
      await this.audit.operator(m, actor, { ...entry, targetBotId: botId });
      await this.audit.tenant(m, botId, { ...actor, ...entry });
      return after;
    });
  }
}
