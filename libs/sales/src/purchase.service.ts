import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { TenantWalletService, trafficBytes, wholesaleCost } from '@botfleet/billing';
import { BotSelfRepository, OrderEntity, PlanEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { isUniqueViolation } from './db-errors';

export interface CreateOrderInput {
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
export class PurchaseService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly botSelf: BotSelfRepository,
    private readonly wallet: TenantWalletService,
  ) {}

  async activePlans(botId: string): Promise<PlanEntity[]> {
    return this.repos.plans.find(botId, {
      where: { isActive: true, deletedAt: IsNull(), isTrial: false },
      order: { sortOrder: 'ASC', createdAt: 'ASC' },
    });
  }

  async createOrder(botId: string, input: CreateOrderInput): Promise<CreateOrderResult> {
    try {
      return await this.db.run(botId, (tx) => this.create(tx.botId, input));
    } catch (e) {
      // Two taps raced past the checks below: the unique key kept one order; return it.
      if (!isUniqueViolation(e)) throw e;
      const order = await this.repos.orders.findOne(botId, { idempotencyKey: input.idempotencyKey });
      if (!order) throw e;
      const plan = (await this.repos.plans.findById(botId, order.planId))!;
      return { order, plan, created: false };
    }
  }

  private async create(botId: string, input: CreateOrderInput): Promise<CreateOrderResult> {
    // Serialises one user's purchases, so a burst of taps cannot open several orders.
    const user = await this.repos.users.findById(botId, input.userId, 'pessimistic_write');
    if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
    if (user.status === 'blocked') throw new DomainError(ErrorCode.FORBIDDEN, 'This user is blocked');

    const replay = await this.repos.orders.findOne(botId, { idempotencyKey: input.idempotencyKey });
    if (replay) {
      return { order: replay, plan: (await this.repos.plans.findById(botId, replay.planId))!, created: false };
    }
    const plan = await this.repos.plans.findOne(botId, { id: input.planId, isActive: true, deletedAt: IsNull() });
    if (!plan) throw new DomainError(ErrorCode.NOT_FOUND, 'This plan is not available');
    if (input.renewSubscriptionId) {
      const sub = await this.repos.subscriptions.findOne(botId, { id: input.renewSubscriptionId, userId: user.id });
      if (!sub || sub.status === 'failed' || sub.status === 'pending') {
        throw new DomainError(ErrorCode.NOT_FOUND, 'Subscription not found');
      }
    }
    const open = await this.repos.orders.findOne(botId, {
      userId: user.id,
      planId: plan.id,
      status: 'pending',
      subscriptionId: input.renewSubscriptionId ?? IsNull(),
    });
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
      currency: bot.currency,
      discountMinor: 0,
      wholesaleMinor: cost,
      trafficBytes: trafficBytes(plan),
      periodDays: plan.periodDays,
      idempotencyKey: input.idempotencyKey,
    });
    await this.wallet.hold(botId, order.id, order.wholesaleMinor);
    return { order, plan, created: true };
  }
}
