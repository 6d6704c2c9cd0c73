import { Injectable } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { AdminAccessService } from '@botfleet/bots';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { BotSelfRepository, PlanEntity, PlanRepository, TenantDb, TenantRepositories } from '@botfleet/dal';
import { ConfigurationsService } from '../settings/configurations.service';
import { LANGUAGES, Localized } from '../settings/languages';
import { Schema, SchemaProblem } from '../settings/schema';
import { assertFields, MAX_MINOR } from '../validation';

/** Limits of the plan fields (the API DTOs use the same numbers). */
export const PLAN_LIMITS = {
  nameMaxLength: 100,
  periodDays: { min: 1, max: 3650 },
  priceMinor: { min: 0, max: MAX_MINOR },
  priceStars: { min: 1, max: 1_000_000 },
  trafficLimitGb: { min: 0, max: 1_000_000 },
  deviceLimit: { min: 0, max: 100 },
  locationMaxLength: 100,
  sortOrder: { min: -1_000_000, max: 1_000_000 },
} as const;

const L = PLAN_LIMITS;

/**
 * A new price as a bot admin types it (digits only, minor units): a paid plan's, 1..MAX_MINOR; null for anything
 * else (a free plan is set up in the console).
 */
export function parseTypedPlanPrice(text: string): number | null {
  if (!/^\d{1,16}$/.test(text)) return null;
  const price = Number(text);
  return Number.isSafeInteger(price) && price >= 1 && price <= MAX_MINOR ? price : null;
}
const FIELDS: Record<string, Schema> = {
  name: {
    type: 'object',
    properties: Object.fromEntries(
      LANGUAGES.map((l) => [l, { type: 'string', minLength: 1, maxLength: L.nameMaxLength, pattern: /\S/ } as Schema]),
    ),
  },
  periodDays: { type: 'integer', minimum: L.periodDays.min, maximum: L.periodDays.max },
  priceMinor: { type: 'integer', minimum: L.priceMinor.min, maximum: L.priceMinor.max },
  priceStars: { type: 'integer', minimum: L.priceStars.min, maximum: L.priceStars.max, nullable: true },
  trafficLimitGb: { type: 'integer', minimum: L.trafficLimitGb.min, maximum: L.trafficLimitGb.max },
  deviceLimit: { type: 'integer', minimum: L.deviceLimit.min, maximum: L.deviceLimit.max },
  panelId: { type: 'uuid', nullable: true },
  location: { type: 'string', minLength: 1, maxLength: L.locationMaxLength, pattern: /\S/, nullable: true },
  sortOrder: { type: 'integer', minimum: L.sortOrder.min, maximum: L.sortOrder.max },
  isActive: { type: 'boolean' },
  isTrial: { type: 'boolean' },
};
const REQUIRED = ['name', 'periodDays', 'priceMinor', 'trafficLimitGb', 'deviceLimit'] as const;

/**
 * Whether a VPN panel id names an active panel. Panels are platform rows the tenant's database
 * role cannot read, so the caller that has the platform path passes one (the API passes
 * PanelAvailability from libs/platform).
 */
export interface PanelChecker {
  isActivePanel(panelId: string): Promise<boolean>;
}

export interface PlanInput {
  /** Per language; at least one. */
  name: Localized;
  periodDays: number;
  priceMinor: number;
  /** Price in Telegram Stars (feature telegram_stars); null or left out = not sold for Stars. */
  priceStars?: number | null;
  /** 0 = unlimited. */
  trafficLimitGb: number;
  /** 0 = unlimited. */
  deviceLimit: number;
  panelId?: string | null;
  location?: string | null;
  sortOrder?: number;
  isActive?: boolean;
  isTrial?: boolean;
}
export type PlanPatch = Partial<PlanInput>;

export interface PlanView {
  id: string;
  name: Localized;
  periodDays: number;
  priceMinor: number;
  priceStars: number | null;
  currency: string;
  trafficLimitGb: number;
  deviceLimit: number;
  panelId: string | null;
  location: string | null;
  sortOrder: number;
  isActive: boolean;
  isTrial: boolean;
  createdAt: string;
  updatedAt: string;
}

export type PlanRemoval = { outcome: 'deleted' } | { outcome: 'deactivated'; plan: PlanView };

/**
 * A plan priced 0 is never sold: only the trial plan (given away once per user, never bought) may be free. A
 * plan that would be priced 0, active and not the trial is refused on priceMinor. (A free trial plan that
 * stops being the trial is deactivated instead: see PlanRepository.markTrialPlan.)
 */
function freePlanProblems(plan: { priceMinor: number; isTrial: boolean; isActive: boolean }): SchemaProblem[] {
  if (plan.priceMinor !== 0 || plan.isTrial || !plan.isActive) return [];
  return [{ field: 'priceMinor', errors: ['must be at least 1: only the trial plan (isTrial: true) may be free'] }];
}

function assertNoFreePlan(problems: SchemaProblem[]): void {
  if (problems.length) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Invalid request: priceMinor', problems);
}

function nameProblems(input: { name?: unknown }): SchemaProblem[] {
  const name = input.name;
  if (name === undefined || name === null || typeof name !== 'object' || Array.isArray(name)) return [];
  const given = Object.values(name as Record<string, unknown>).filter((v) => v !== undefined);
  return given.length === 0
    ? [{ field: 'name', errors: [`must have a name in at least one of ${LANGUAGES.join(', ')}`] }]
    : [];
}

function auditView(p: PlanEntity): Record<string, unknown> {
  return {
    name: p.name,
    periodDays: p.periodDays,
    priceMinor: p.priceMinor,
    priceStars: p.priceStars,
    trafficLimitGb: p.trafficLimitGb,
    deviceLimit: p.deviceLimit,
    panelId: p.panelId,
    location: p.location,
    sortOrder: p.sortOrder,
    isActive: p.isActive,
    isTrial: p.isTrial,
  };
}

/**
 * A tenant's plans (bot_plans). A plan that was ever ordered is never deleted (orders point at
 * it): DELETE deactivates it and it stays visible to the tenant with isActive=false. The trial
 * plan is one per bot and mirrors the configuration key trial_plan_id (see ConfigurationsService).
 */
@Injectable()
export class PlansService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly planRows: PlanRepository,
    private readonly botSelf: BotSelfRepository,
    private readonly audit: AuditService,
    private readonly configurations: ConfigurationsService,
    private readonly access: AdminAccessService,
  ) {}

  /**
   * All plans of the bot (active and inactive), in the tenant's order. One query with the bot's
   * currency joined in: this is the hottest tenant read (B6) and the bot's menu reads it too.
   */
  async list(botId: string, options: { activeOnly?: boolean } = {}): Promise<PlanView[]> {
    const rows = await this.planRows.listWithCurrency(botId, options.activeOnly === true);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      periodDays: r.period_days,
      priceMinor: Number(r.price_minor),
      priceStars: r.price_stars,
      currency: r.currency,
      trafficLimitGb: r.traffic_limit_gb,
      deviceLimit: r.device_limit,
      panelId: r.panel_id,
      location: r.location,
      sortOrder: r.sort_order,
      isActive: r.is_active,
      isTrial: r.is_trial,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  async get(botId: string, planId: string): Promise<PlanView> {
    return this.db.run(botId, async () => this.view(await this.find(botId, planId), await this.currency(botId)));
  }

  /** `panels` is needed only when the input names a panelId. */
  async create(botId: string, input: PlanInput, actor: Actor, panels?: PanelChecker): Promise<PlanView> {
    assertFields(FIELDS, input, REQUIRED, nameProblems(input));
    assertNoFreePlan(
      freePlanProblems({
        priceMinor: input.priceMinor,
        isTrial: input.isTrial === true,
        isActive: input.isActive ?? true,
      }),
    );
    await assertPanel(input.panelId, panels);
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'plans');
      let sortOrder = input.sortOrder;
      if (sortOrder === undefined) sortOrder = Math.min(await this.planRows.nextSortOrder(botId), L.sortOrder.max);
      const { id } = await this.repos.plans.insert(botId, {
        name: input.name,
        periodDays: input.periodDays,
        priceMinor: input.priceMinor,
        priceStars: input.priceStars ?? null,
        trafficLimitGb: input.trafficLimitGb,
        deviceLimit: input.deviceLimit,
        panelId: input.panelId ?? null,
        location: input.location ?? null,
        sortOrder,
        isActive: input.isActive ?? true,
        isTrial: false,
        deletedAt: null,
      });
      if (input.isTrial) await this.configurations.set(botId, 'trial_plan_id', id);
      const plan = await this.find(botId, id);
      await this.audit.record(botId, {
        actor,
        action: 'plan.create',
        targetType: 'plan',
        targetId: id,
        after: auditView(plan),
      });
      return this.view(plan, await this.currency(botId));
    });
  }

  async update(
    botId: string,
    planId: string,
    patch: PlanPatch,
    actor: Actor,
    panels?: PanelChecker,
  ): Promise<PlanView> {
    assertFields(FIELDS, patch, [], nameProblems(patch));
    await assertPanel(patch.panelId, panels);
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'plans');
      const before = await this.find(botId, planId, true);
      // Refused only when this request prices it 0 or puts it on sale; dropping the trial flag deactivates it.
      if (patch.priceMinor !== undefined || patch.isActive === true) {
        assertNoFreePlan(
          freePlanProblems({
            priceMinor: patch.priceMinor ?? before.priceMinor,
            isTrial: patch.isTrial ?? before.isTrial,
            isActive: patch.isActive ?? before.isActive,
          }),
        );
      }
      const { isTrial, ...rest } = patch;
      const changes: Partial<PlanEntity> = {};
      for (const [k, v] of Object.entries(rest) as [keyof Omit<PlanInput, 'isTrial'>, unknown][]) {
        if (v !== undefined) (changes as Record<string, unknown>)[k] = v;
      }
      if (Object.keys(changes).length) await this.repos.plans.update(botId, { id: planId }, changes);
      // One trial plan per bot: making this one the trial clears the flag on the others.
      if (isTrial === true && !before.isTrial) await this.configurations.set(botId, 'trial_plan_id', planId);
      if (isTrial === false && before.isTrial) await this.configurations.reset(botId, 'trial_plan_id');
      const after = await this.find(botId, planId);
      if (Object.keys(changes).length || after.isTrial !== before.isTrial) {
        await this.audit.record(botId, {
          actor,
          action: 'plan.update',
          targetType: 'plan',
          targetId: planId,
          before: auditView(before),
          after: auditView(after),
        });
      }
      return this.view(after, await this.currency(botId));
    });
  }

  async remove(botId: string, planId: string, actor: Actor): Promise<PlanRemoval> {
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'plans');
      // The row lock makes a concurrent order insert (its FK check locks this row) wait for us.
      const plan = await this.find(botId, planId, true);
      const sold = (await this.repos.orders.count(botId, { planId })) > 0;
      if (plan.isTrial) await this.configurations.reset(botId, 'trial_plan_id');
      if (sold) {
        await this.repos.plans.update(botId, { id: planId }, { isActive: false });
      } else {
        await this.repos.plans.delete(botId, { id: planId });
      }
      await this.audit.record(botId, {
        actor,
        action: sold ? 'plan.deactivate' : 'plan.delete',
        targetType: 'plan',
        targetId: planId,
        before: auditView(plan),
      });
      if (!sold) return { outcome: 'deleted' };
      return { outcome: 'deactivated', plan: this.view(await this.find(botId, planId), await this.currency(botId)) };
    });
  }

  private view(p: PlanEntity, currency: string): PlanView {
    return {
      id: p.id,
      name: p.name,
      periodDays: p.periodDays,
      priceMinor: p.priceMinor,
      priceStars: p.priceStars,
      currency,
      trafficLimitGb: p.trafficLimitGb,
      deviceLimit: p.deviceLimit,
      panelId: p.panelId,
      location: p.location,
      sortOrder: p.sortOrder,
      isActive: p.isActive,
      isTrial: p.isTrial,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    };
  }

  private currency(botId: string): Promise<string> {
    return this.botSelf.currency(botId);
  }

  private async find(botId: string, planId: string, lock = false): Promise<PlanEntity> {
    const plan = await this.repos.plans.findById(botId, planId, lock ? 'pessimistic_write' : undefined);
    if (!plan || plan.deletedAt) throw new DomainError(ErrorCode.NOT_FOUND, 'Plan not found');
    return plan;
  }
}

async function assertPanel(panelId: string | null | undefined, panels: PanelChecker | undefined): Promise<void> {
  if (!panelId) return;
  if (!panels) throw new Error('A PanelChecker is needed to accept a panelId');
  if (!(await panels.isActivePanel(panelId))) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Invalid request: panelId', [
      { field: 'panelId', errors: ['must be the id of an active VPN panel'] },
    ]);
  }
}
