import { Injectable, Logger } from '@nestjs/common';
import { UserLedgerService } from '@botfleet/billing';
import { FeaturesService } from '@botfleet/catalog';
import { describeError, DomainError, ErrorCode } from '@botfleet/common';
import { BotSelfRepository, isSaleStatus, SubscriptionEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { CreateOrderUseCase, PayFromWalletUseCase, SalesQueries } from '@botfleet/sales';

const DAY_MS = 24 * 60 * 60 * 1000;
/** `auto_renewal`'s `daysBefore` when the tenant has not set it. */
export const DEFAULT_AUTO_RENEW_DAYS_BEFORE = 1;

export type AutoRenewOutcome =
  | { kind: 'not_due' }
  /** Paid from the wallet now (the extension job is queued). */
  | { kind: 'renewed'; orderId: string }
  /** This period was renewed already (another run, or an earlier one). */
  | { kind: 'already'; orderId: string }
  /** The wallet cannot pay: nothing was charged; the customer is asked to top up. */
  | { kind: 'short'; userId: string; balanceMinor: number; requiredMinor: number; currency: string; dedupeKey: string }
  /** The plan is no longer sold or cannot renew this subscription: the ordinary reminders apply. */
  | { kind: 'unavailable'; reason: string };

/** The once-key of the period: the subscription and its current end. */
export const autoRenewKey = (sub: Pick<SubscriptionEntity, 'id' | 'expiresAt'>) =>
  `autorenew:${sub.id}:${sub.expiresAt?.getTime() ?? 0}`;

/**
 * Auto-renew (feature `auto_renewal`, config `daysBefore`): a customer turns it on per subscription; that many
 * days before the end the renewal is bought and paid from the customer's wallet through the sale's own use
 * cases (CreateOrderUseCase with the renewal, PayFromWalletUseCase), so the wallet can never go negative (the
 * ledger refuses) and a failed extension refunds through the sale's failure path. The order and its payment are one
 * transaction; the order's idempotency key is the subscription and its current end, so however many schedulers
 * run or retry, one period is renewed and charged once.
 */
@Injectable()
export class AutoRenewals {
  private readonly logger = new Logger(AutoRenewals.name);

  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly botSelf: BotSelfRepository,
    private readonly features: FeaturesService,
    private readonly queries: SalesQueries,
    private readonly ledger: UserLedgerService,
    private readonly createOrder: CreateOrderUseCase,
    private readonly payFromWallet: PayFromWalletUseCase,
  ) {}

  /** Whether the customer may turn auto-renew on or off for this subscription (for the /subs buttons). */
  static mayToggle(sub: Pick<SubscriptionEntity, 'status' | 'planId' | 'isTrial'>): boolean {
    return sub.status === 'active' && !!sub.planId && !sub.isTrial;
  }

  /** Turns auto-renew on or off for one of the user's own subscriptions (another's is NOT_FOUND). */
  async set(botId: string, userId: string, subscriptionId: string, on: boolean): Promise<SubscriptionEntity> {
    if (!(await this.features.isEnabled(botId, 'auto_renewal'))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'Auto-renew is off for this bot');
    }
    const sub = await this.repos.subscriptions.findOne(botId, { id: subscriptionId, userId });
    if (!sub || (on && !AutoRenewals.mayToggle(sub)))
      throw new DomainError(ErrorCode.NOT_FOUND, 'Subscription not found');
    await this.repos.subscriptions.update(botId, { id: sub.id, userId }, { autoRenew: on });
    return { ...sub, autoRenew: on };
  }

  async daysBefore(botId: string): Promise<number | null> {
    const f = await this.features.get(botId, 'auto_renewal');
    if (!f.enabled) return null;
    const days = (f.config as { daysBefore?: unknown }).daysBefore;
    return typeof days === 'number' ? days : DEFAULT_AUTO_RENEW_DAYS_BEFORE;
  }

  /** Whether this period's renewal was paid (the reminders skip "it ends soon" then). */
  async renewedThisPeriod(botId: string, sub: SubscriptionEntity): Promise<boolean> {
    const order = await this.repos.orders.findOne(botId, { idempotencyKey: autoRenewKey(sub) });
    return !!order && isSaleStatus(order.status);
  }

  /**
   * Renews the subscription from the wallet if it is due at `now`. `daysBefore` is the tenant's (null = the
   * feature is off); pass it when scanning many subscriptions of one bot.
   */
  async renewIfDue(
    botId: string,
    subscriptionId: string,
    now: Date,
    daysBefore?: number | null,
  ): Promise<AutoRenewOutcome> {
    const days = daysBefore === undefined ? await this.daysBefore(botId) : daysBefore;
    if (days === null) return { kind: 'not_due' };
    const sub = await this.repos.subscriptions.findById(botId, subscriptionId);
    if (!sub || !sub.autoRenew || !AutoRenewals.mayToggle(sub) || !sub.expiresAt) return { kind: 'not_due' };
    if (sub.expiresAt.getTime() - days * DAY_MS > now.getTime()) return { kind: 'not_due' };
    const key = autoRenewKey(sub);
    const existing = await this.repos.orders.findOne(botId, { idempotencyKey: key });
    if (existing && existing.status !== 'pending') {
      return isSaleStatus(existing.status)
        ? { kind: 'already', orderId: existing.id }
        : { kind: 'unavailable', reason: `this period's renewal is ${existing.status}` };
    }
    // An order the customer is paying right now is theirs to finish: the sale keeps one pending order per user, so
    // renewing now would end it. It expires or gets paid soon; the next run renews.
    const open = await this.repos.orders.findOne(botId, { userId: sub.userId, status: 'pending' });
    if (open && open.id !== existing?.id) return { kind: 'not_due' };
    const plan = await this.queries.availablePlan(botId, sub.planId!);
    if (!plan) return { kind: 'unavailable', reason: 'the plan is no longer sold' };
    const balance = await this.ledger.balance(botId, sub.userId);
    if (balance < plan.priceMinor) {
      // Short: no order is opened (nothing held, nothing charged); the customer is asked to top up.
      return {
        kind: 'short',
        userId: sub.userId,
        balanceMinor: balance,
        requiredMinor: plan.priceMinor,
        currency: await this.botSelf.currency(botId),
        dedupeKey: `autorenew_short:${sub.id}:${sub.expiresAt.getTime()}`,
      };
    }
    try {
      // The order and its payment from the wallet commit together: a failure (or a crash) between them would leave
      // a pending renewal holding the shop's wholesale cost, which the customer's next purchase supersedes or the
      // sale's sweep expires — ending this period's renewal unpaid for good. Together, a failure leaves nothing and
      // the next scan renews. Two scans serialise on the user's row (CreateOrderUseCase); the later one finds the
      // order by its idempotency key already paid, and the ledger's key `order:<id>:purchase` charges it once.
      // atomic: inside a caller's transaction it is a savepoint, so a refused payment still leaves no order behind.
      return await this.db.atomic(botId, async (): Promise<AutoRenewOutcome> => {
        const { order } = await this.createOrder.execute({
          botId,
          userId: sub.userId,
          planId: plan.id,
          idempotencyKey: key,
          renewSubscriptionId: sub.id,
        });
        if (order.status !== 'pending') return { kind: 'already', orderId: order.id };
        const paid = await this.payFromWallet.execute({ botId, orderId: order.id, by: { userId: sub.userId } });
        return { kind: 'renewed', orderId: paid.id };
      });
    } catch (e) {
      if (DomainError.is(e, ErrorCode.ALREADY_PAID)) {
        const order = await this.repos.orders.findOne(botId, { idempotencyKey: key });
        return { kind: 'already', orderId: order?.id ?? '' };
      }
      if (DomainError.is(e, ErrorCode.INSUFFICIENT_BALANCE)) {
        const d = e.details as { balanceMinor: number; requiredMinor: number; currency: string };
        return {
          kind: 'short',
          userId: sub.userId,
          ...d,
          dedupeKey: `autorenew_short:${sub.id}:${sub.expiresAt.getTime()}`,
        };
      }
      if (e instanceof DomainError) {
        this.logger.warn(`auto-renew of subscription ${sub.id} (bot ${botId}) refused: ${describeError(e)}`);
        return { kind: 'unavailable', reason: e.message };
      }
      throw e;
    }
  }
}
