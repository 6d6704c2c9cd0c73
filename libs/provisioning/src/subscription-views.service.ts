import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { SubscriptionEntity, TenantRepositories } from '@botfleet/dal';

type Language = 'fa' | 'en' | 'ru';

/** What a user is shown about one subscription (the bot's /subs screen, the delivery message). */
export interface SubscriptionView {
  id: string;
  status: SubscriptionEntity['status'];
  /** The plan's name per language, when the plan still exists. */
  planName: Partial<Record<Language, string>>;
  /** The plan it was bought with (renewing offers the same plan). */
  planId: string | null;
  subscriptionUrl: string | null;
  startsAt: Date | null;
  expiresAt: Date | null;
  /** 0 = unlimited. */
  trafficLimitBytes: number;
  trafficUsedBytes: number;
  deviceLimit: number;
  isTrial: boolean;
  /** The customer turned auto-renew on (libs/growth/src/auto-renew). */
  autoRenew?: boolean;
}

/** A subscription to hand to its user: where to send it and in which language. */
export interface DeliveryView {
  subscription: SubscriptionView;
  userId: string;
  telegramId: number;
  /** The user's chosen language, if any (the caller falls back to the bot's default). */
  language: Language | null;
  /** The user blocked the bot: nothing can be sent. */
  unreachable: boolean;
  /** 'renewal' when the purchase being delivered extended an existing subscription. */
  purchaseKind: 'new' | 'renewal' | 'trial' | null;
}

/**
 * Subscriptions the user has: paid ones being prepared (`pending`: provisioning, or a delivery that never
 * arrived yet), and ones that have (or had) an account. A failed one was refunded and is not listed.
 */
const LISTED: SubscriptionEntity['status'][] = ['pending', 'active', 'expired', 'disabled'];
/** /subs order: what works now, then what is on its way, then the rest (newest first within each). */
const LIST_RANK: Partial<Record<SubscriptionEntity['status'], number>> = { active: 0, pending: 1 };
/** /subs shows at most this many, newest first. */
export const MAX_LISTED_SUBSCRIPTIONS = 10;

/** Read models of subscriptions for the user-facing outlets. Bot-scoped like every tenant read. */
@Injectable()
export class SubscriptionViewsService {
  constructor(private readonly repos: TenantRepositories) {}

  /** The user's subscriptions: active first, then those being prepared, then the most recent others. */
  async listForUser(botId: string, userId: string): Promise<SubscriptionView[]> {
    const subs = await this.repos.subscriptions.find(botId, {
      where: { userId, status: In(LISTED) },
      order: { createdAt: 'DESC' },
      take: 50,
    });
    const rank = (s: SubscriptionEntity) => LIST_RANK[s.status] ?? 2;
    const sorted = subs.sort((a, b) => rank(a) - rank(b)).slice(0, MAX_LISTED_SUBSCRIPTIONS);
    return this.withPlans(botId, sorted);
  }

  /** One of the user's own subscriptions (null for another user's, or an unknown id). */
  async findForUser(botId: string, userId: string, subscriptionId: string): Promise<SubscriptionView | null> {
    const sub = await this.repos.subscriptions.findOne(botId, { id: subscriptionId, userId });
    if (!sub) return null;
    const [view] = await this.withPlans(botId, [sub]);
    return view;
  }

  async forDelivery(botId: string, subscriptionId: string, orderId?: string): Promise<DeliveryView | null> {
    const sub = await this.repos.subscriptions.findById(botId, subscriptionId);
    if (!sub) return null;
    const user = await this.repos.users.findById(botId, sub.userId);
    if (!user) return null;
    const order = orderId ? await this.repos.orders.findById(botId, orderId) : null;
    const [view] = await this.withPlans(botId, [sub]);
    return {
      subscription: view,
      userId: user.id,
      telegramId: user.telegramId,
      language: user.language,
      unreachable: user.botBlockedAt !== null,
      purchaseKind: order?.kind ?? null,
    };
  }

  private async withPlans(botId: string, subs: SubscriptionEntity[]): Promise<SubscriptionView[]> {
    const planIds = [...new Set(subs.map((s) => s.planId).filter((id): id is string => !!id))];
    const plans = planIds.length ? await this.repos.plans.find(botId, { where: { id: In(planIds) } }) : [];
    const names = new Map(plans.map((p) => [p.id, p.name]));
    return subs.map((s) => ({
      id: s.id,
      status: s.status,
      planName: (s.planId && names.get(s.planId)) || {},
      planId: s.planId,
      subscriptionUrl: s.subscriptionUrl,
      startsAt: s.startsAt,
      expiresAt: s.expiresAt,
      trafficLimitBytes: s.trafficLimitBytes,
      trafficUsedBytes: s.trafficUsedBytes,
      deviceLimit: s.deviceLimit,
      isTrial: s.isTrial,
      autoRenew: s.autoRenew,
    }));
  }
}
