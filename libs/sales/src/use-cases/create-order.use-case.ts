import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { OrderHooks, WholesaleWalletService, trafficBytes, wholesaleCost } from '@botfleet/billing';
import { BotSelfRepository, currencyOf, OrderEntity, PlanEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { isUniqueViolation } from '../db-errors';
import { PendingOrders } from '../pending-orders.service';
import { isRenewable } from '../sale-rules';
import { SalesQueries } from '../sales-queries.service';

export interface CreateOrderInput {
  botId: string;
  userId: string;
  planId: string;
  /** Derived from the button the user pressed, so repeated taps and re-delivered updates find the same order. */
  idempotencyKey: string;
  /** Renew this subscription of the user instead of buying a new one. */
  renewSubscriptionId?: string;
}

export interface CreateOrderResult {
  order: OrderEntity;
  plan: PlanEntity;
  created: boolean;
}

/**
 * Step one of every sale: an order in `pending` with the tenant's wholesale cost held
 * (RELIABILITY.md 5). Without enough wholesale balance nothing is created and the caller
 * tells the user before any payment details are shown.
 */
@Injectable()
export class CreateOrderUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly botSelf: BotSelfRepository,
    private readonly wallet: WholesaleWalletService,
    private readonly queries: SalesQueries,
    private readonly pendingOrders: PendingOrders,
    private readonly hooks: OrderHooks,
  ) {}

  async execute(input: CreateOrderInput): Promise<CreateOrderResult> {
    const { botId } = input;
    try {
      return await this.db.run(botId, () => this.create(input));
    } catch (e) {
      // Two taps raced past the checks below: the unique key kept one order; return it.
      if (!isUniqueViolation(e)) throw e;
      const order = await this.repos.orders.findOne(botId, { idempotencyKey: input.idempotencyKey });
      if (!order) throw e;
      const plan = (await this.repos.plans.findById(botId, order.planId))!;
      return { order, plan, created: false };
    }
  }

  private async create(input: CreateOrderInput): Promise<CreateOrderResult> {
    const { botId } = input;
    // Serialises one user's purchases, so a burst of taps cannot open several orders.
    const user = await this.repos.users.findById(botId, input.userId, 'pessimistic_write');
    if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
    if (user.status === 'blocked') throw new DomainError(ErrorCode.FORBIDDEN, 'This user is blocked');

    const replay = await this.repos.orders.findOne(botId, { idempotencyKey: input.idempotencyKey });
    if (replay) {
      return { order: replay, plan: (await this.repos.plans.findById(botId, replay.planId))!, created: false };
    }
    const plan = await this.queries.availablePlan(botId, input.planId);
    if (!plan) throw new DomainError(ErrorCode.NOT_FOUND, 'This plan is not available');
    if (input.renewSubscriptionId) {
      const sub = await this.repos.subscriptions.findOne(botId, { id: input.renewSubscriptionId, userId: user.id });
      if (!sub || !isRenewable(sub)) throw new DomainError(ErrorCode.NOT_FOUND, 'Subscription not found');
      // The renewal stays on the subscription's panel; a plan of another panel or location is a new subscription.
      if (!(await this.queries.canRenew(botId, sub, plan))) {
        throw new DomainError(ErrorCode.CONFLICT, 'This plan cannot renew this subscription; buy it as a new one');
      }
    }
    const open = await this.repos.orders.findOne(botId, {
      userId: user.id,
      planId: plan.id,
      status: 'pending',
      subscriptionId: input.renewSubscriptionId ?? IsNull(),
    });
    // One pending order per user: choosing another plan ends the previous choice and releases its hold
    // (an order whose receipt is under review is kept), so a user never holds more than one order's cost.
    await this.pendingOrders.supersede(botId, user.id, open?.id);
    if (open) return { order: open, plan, created: false };

    // Lock the shop's wallet and check it before writing anything, so a refusal leaves no order behind
    // even when the caller is already inside a larger transaction (a bot update).
    const bot = await this.botSelf.get(botId, 'pessimistic_write');
    if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
    const price = await this.repos.wholesalePrices.findOne(botId, {});
    const cost = wholesaleCost(price, plan);
    if (cost > 0 && bot.walletBalanceMinor - bot.walletHeldMinor < cost) {
      throw new DomainError(ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE, 'The shop wallet cannot cover this sale', {
        freeMinor: bot.walletBalanceMinor - bot.walletHeldMinor,
        requiredMinor: cost,
      });
    }
    const order = await this.repos.orders.insert(botId, {
      userId: user.id,
      planId: plan.id,
      subscriptionId: input.renewSubscriptionId ?? null,
      kind: input.renewSubscriptionId ? 'renewal' : 'new',
      status: 'pending',
      amountMinor: plan.priceMinor,
      currency: currencyOf(bot),
      discountMinor: 0,
      wholesaleMinor: cost,
      trafficBytes: trafficBytes(plan),
      periodDays: plan.periodDays,
      idempotencyKey: input.idempotencyKey,
    });
    await this.wallet.hold(botId, order.id, order.wholesaleMinor);
    // A promo code the user typed for their next purchase (libs/growth) prices the new order; wholesale stays on the plan.
    return { order: await this.hooks.created(botId, order), plan, created: true };
  }
}
