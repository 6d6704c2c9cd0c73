import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In, Not } from 'typeorm';
import { OrdersService, trafficBytes, WholesaleWalletService } from '@botfleet/billing';
import { ConfigurationsService, FeaturesService } from '@botfleet/catalog';
import { DomainError, ErrorCode } from '@botfleet/common';
import { BotSelfRepository, currencyOf, OrderEntity, PlanEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { FulfilOrderUseCase } from '@botfleet/sales';

export interface StartTrialInput {
  botId: string;
  userId: string;
}

export interface StartTrialResult {
  order: OrderEntity;
  plan: PlanEntity;
  subscriptionId: string;
}

/** Order statuses of a trial that still counts (a trial whose provisioning failed for good may be taken again). */
const FAILED_TRIAL = ['failed', 'refunded'] as const;

/** CONFLICT details when the user has had the trial already. */
export const TRIAL_USED = 'trial_used';

export function isTrialUsed(e: unknown): boolean {
  return DomainError.is(e, ErrorCode.CONFLICT) && (e.details as { reason?: string } | undefined)?.reason === TRIAL_USED;
}

function trialUsed(): DomainError {
  return new DomainError(ErrorCode.CONFLICT, 'The free trial was already taken', { reason: TRIAL_USED });
}

function isUniqueViolation(e: unknown, constraint: string): boolean {
  const err = e as { code?: string; driverError?: { code?: string; constraint?: string } };
  return (err?.code ?? err?.driverError?.code) === '23505' && (err?.driverError?.constraint ?? '') === constraint;
}

/**
 * The free trial (feature `trial_subscription`, plan `trial_plan_id`): once per user per bot, kept by the
 * unique index `orders_one_trial_per_user` (the user row lock makes the second of two taps wait and see the
 * first; the index holds even without it). The trial is an order like a sale — kind 'trial', amount 0, paid
 * 'free' — with the operator's trial price (`wholesale_prices.trial_minor`) held and captured on the shop
 * wallet and its traffic counted as sold, fulfilled through FulfilOrderUseCase, so the one provisioning job
 * creates exactly one panel account and a failure takes the existing failure path.
 */
@Injectable()
export class StartTrialUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly botSelf: BotSelfRepository,
    private readonly features: FeaturesService,
    private readonly configs: ConfigurationsService,
    private readonly orders: OrdersService,
    private readonly wallet: WholesaleWalletService,
    private readonly fulfilOrder: FulfilOrderUseCase,
  ) {}

  /** Whether this user may still take the trial (for the screen; the use case decides for real). */
  async available(botId: string, userId: string): Promise<boolean> {
    if (!(await this.features.isEnabled(botId, 'trial_subscription'))) return false;
    if (!(await this.trialPlan(botId))) return false;
    return !(await this.repos.orders.findOne(botId, { userId, kind: 'trial', status: Not(In([...FAILED_TRIAL])) }));
  }

  async execute({ botId, userId }: StartTrialInput): Promise<StartTrialResult> {
    if (!(await this.features.isEnabled(botId, 'trial_subscription'))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'The free trial is off for this bot');
    }
    try {
      return await this.db.atomic(botId, () => this.start(botId, userId));
    } catch (e) {
      if (isUniqueViolation(e, 'orders_one_trial_per_user')) throw trialUsed();
      throw e;
    }
  }

  private async trialPlan(botId: string): Promise<PlanEntity | null> {
    const planId = await this.configs.get(botId, 'trial_plan_id');
    if (!planId) return null;
    const plan = await this.repos.plans.findById(botId, planId);
    return plan && !plan.deletedAt ? plan : null;
  }

  private async start(botId: string, userId: string): Promise<StartTrialResult> {
    // Serialises one user's purchases and trials: a second tap waits here, then finds the first trial.
    const user = await this.repos.users.findById(botId, userId, 'pessimistic_write');
    if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
    if (user.status === 'blocked') throw new DomainError(ErrorCode.FORBIDDEN, 'This user is blocked');
    const plan = await this.trialPlan(botId);
    if (!plan) throw new DomainError(ErrorCode.NOT_FOUND, 'This shop has no trial plan');
    const taken = await this.repos.orders.findOne(botId, {
      userId,
      kind: 'trial',
      status: Not(In([...FAILED_TRIAL])),
    });
    if (taken) throw trialUsed();

    const bot = await this.botSelf.get(botId, 'pessimistic_write');
    if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
    const price = await this.repos.wholesalePrices.findOne(botId, {});
    const cost = price?.trialMinor ?? 0;
    if (cost > 0 && bot.walletBalanceMinor - bot.walletHeldMinor < cost) {
      throw new DomainError(ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE, 'The shop wallet cannot cover this trial', {
        freeMinor: bot.walletBalanceMinor - bot.walletHeldMinor,
        requiredMinor: cost,
      });
    }
    const order = await this.repos.orders.insert(botId, {
      userId,
      planId: plan.id,
      subscriptionId: null,
      kind: 'trial',
      status: 'pending',
      paymentMethod: 'free',
      amountMinor: 0,
      currency: currencyOf(bot),
      discountMinor: 0,
      wholesaleMinor: cost,
      trafficBytes: trafficBytes(plan),
      periodDays: plan.periodDays,
      idempotencyKey: `trial:${userId}:${randomUUID()}`,
    });
    await this.wallet.hold(botId, order.id, cost);
    await this.orders.transitionOrThrow(botId, order.id, 'pending', 'paid', {
      paidAt: new Date(),
      paymentMethod: 'free',
    });
    const paid = (await this.repos.orders.findById(botId, order.id))!;
    await this.wallet.capture(botId, paid.id, paid.trafficBytes);
    const subscriptionId = await this.fulfilOrder.execute({ botId, order: paid });
    return { order: (await this.repos.orders.findById(botId, paid.id))!, plan, subscriptionId };
  }
}
