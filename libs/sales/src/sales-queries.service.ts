import { Injectable } from '@nestjs/common';
import { In, IsNull, MoreThan } from 'typeorm';
import { ConfigurationsService } from '@botfleet/catalog';
import {
  BotSelfRepository,
  CardPaymentEntity,
  OrderEntity,
  PaymentCardEntity,
  PlanEntity,
  SubscriptionEntity,
  TenantRepositories,
  UserEntity,
} from '@botfleet/dal';
import { canRenewWith } from './renewal-rules';
import { RECEIPT_ACCEPTING_STATUSES, RENEWABLE_SUBSCRIPTION_STATUSES } from './sale-rules';

/**
 * Plans on sale: active, not deleted, priced, and not the trial plan (the trial is given away once per user,
 * never bought; only the trial plan may be priced 0, see PlansService).
 */
const PLAN_ON_SALE = { isActive: true, deletedAt: IsNull(), isTrial: false, priceMinor: MoreThan(0) } as const;

export interface ReviewSubject {
  user: UserEntity | null;
  order: OrderEntity | null;
  card: PaymentCardEntity | null;
  plan: PlanEntity | null;
}

/**
 * What the outlets read about a sale, each rule decided here once: which plans are for sale, which
 * subscriptions can be renewed, whether an order is the user's, whether a receipt is awaited. Ids are
 * looked up inside the bot (and the user, where one is given), so a foreign id is simply not found.
 */
@Injectable()
export class SalesQueries {
  constructor(
    private readonly repos: TenantRepositories,
    private readonly botSelf: BotSelfRepository,
    private readonly configurations: ConfigurationsService,
  ) {}

  /** Plans on sale, in the tenant's order (see PLAN_ON_SALE). */
  activePlans(botId: string): Promise<PlanEntity[]> {
    return this.repos.plans.find(botId, {
      where: { ...PLAN_ON_SALE },
      order: { sortOrder: 'ASC', createdAt: 'ASC' },
    });
  }

  /**
   * A plan that can be ordered now, or null: one on sale. Whatever button was pressed (a forged or stale one
   * included), the trial plan and a free plan are never bought.
   */
  availablePlan(botId: string, planId: string): Promise<PlanEntity | null> {
    return this.repos.plans.findOne(botId, { id: planId, ...PLAN_ON_SALE });
  }

  /** The user's subscriptions a purchase may renew, latest expiry first. */
  renewableSubscriptions(botId: string, userId: string, take = 5): Promise<SubscriptionEntity[]> {
    return this.repos.subscriptions.find(botId, {
      where: { userId, status: In([...RENEWABLE_SUBSCRIPTION_STATUSES]) },
      order: { expiresAt: 'DESC' },
      take,
    });
  }

  /** The user's subscriptions `plan` may renew (see canRenewWith), latest expiry first. */
  async subscriptionsRenewableWith(
    botId: string,
    userId: string,
    plan: PlanEntity,
    take = 5,
  ): Promise<SubscriptionEntity[]> {
    const subs = await this.renewableSubscriptions(botId, userId, 20);
    const fits: SubscriptionEntity[] = [];
    for (const sub of subs) if (fits.length < take && (await this.canRenew(botId, sub, plan))) fits.push(sub);
    return fits;
  }

  /** Whether `plan` may renew `sub`: the account stays on its panel (see canRenewWith). */
  async canRenew(botId: string, sub: SubscriptionEntity, plan: PlanEntity): Promise<boolean> {
    const subPlan = sub.planId ? await this.repos.plans.findById(botId, sub.planId) : null;
    return canRenewWith(sub, subPlan, plan);
  }

  /** The order if it is this user's; anything else is not found. */
  orderOfUser(botId: string, userId: string, orderId: string): Promise<OrderEntity | null> {
    return this.repos.orders.findOne(botId, { id: orderId, userId });
  }

  /** The user's wallet balance in minor units (0 for an unknown user). */
  async walletBalance(botId: string, userId: string): Promise<number> {
    return (await this.repos.users.findById(botId, userId))?.balanceMinor ?? 0;
  }

  /** The currency the bot sells in. */
  async currency(botId: string): Promise<string> {
    return this.botSelf.currency(botId);
  }

  /** Whether a card-payment receipt must be a photo (the tenant may also accept text). */
  async receiptRequiresPhoto(botId: string): Promise<boolean> {
    return ((await this.configurations.get(botId, 'receipt_requires_photo')) as boolean) !== false;
  }

  /** Whether the user has a card payment waiting for a receipt (before its deadline). */
  async awaitsReceipt(botId: string, userId: string, now = new Date()): Promise<boolean> {
    const open = await this.repos.cardPayments.count(botId, {
      userId,
      status: In([...RECEIPT_ACCEPTING_STATUSES]),
      expiresAt: MoreThan(now),
    });
    return open > 0;
  }

  order(botId: string, orderId: string): Promise<OrderEntity | null> {
    return this.repos.orders.findById(botId, orderId);
  }

  /** The user who buys (their name, Telegram id, language and whether they blocked the bot). */
  buyer(botId: string, userId: string): Promise<UserEntity | null> {
    return this.repos.users.findById(botId, userId);
  }

  /** What a reviewer is shown about a card payment: who pays, for which order and plan, to which card. */
  async reviewSubject(botId: string, payment: CardPaymentEntity): Promise<ReviewSubject> {
    const [user, order, card] = await Promise.all([
      this.repos.users.findById(botId, payment.userId),
      payment.orderId ? this.repos.orders.findById(botId, payment.orderId) : Promise.resolve(null),
      payment.cardId ? this.repos.paymentCards.findById(botId, payment.cardId) : Promise.resolve(null),
    ]);
    const plan = order ? await this.repos.plans.findById(botId, order.planId) : null;
    return { user, order, card, plan };
  }

  cardPayment(botId: string, paymentId: string): Promise<CardPaymentEntity | null> {
    return this.repos.cardPayments.findById(botId, paymentId);
  }

  cardPaymentByTracking(botId: string, trackingNumber: string): Promise<CardPaymentEntity | null> {
    return this.repos.cardPayments.findOne(botId, { trackingNumber });
  }
}
