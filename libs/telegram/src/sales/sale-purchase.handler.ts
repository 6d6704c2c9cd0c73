import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { DomainError, ErrorCode } from '@botfleet/common';
import { OrderEntity, PlanEntity, TenantDb } from '@botfleet/dal';
import { JobName, JobPayloads, JobQueue, jobIdFor } from '@botfleet/jobs';
import { PaymentGateways } from '@botfleet/payments';
import {
  canPayOrder,
  canSell,
  CreateOrderUseCase,
  PayFromWalletUseCase,
  paymentMethodsFor,
  SalesQueries,
  StartCardPaymentUseCase,
} from '@botfleet/sales';
import type { BotContext } from '../context/bot-context';
import { replyFor } from '../errors/reply-for';
import type { TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import { CallbackData } from '../screens/callback-data';
import { parseSaleCallback } from './sale-callbacks';
import { alertText, answerUnavailable, PURCHASE_REPLIES, walletFigures } from './sale-replies';
import { cardScreen, methodsScreen, plansScreen, renewOrNewScreen } from './sale-screens';
import { WalletHandler } from '../wallet/wallet.handler';

type OwnerAlert = JobPayloads[JobName.NotifyOwner]['kind'];

/** Refusals the owner must hear about (once an hour at most): the shop cannot sell until they act. */
const OWNER_ALERTS: Partial<Record<ErrorCode, OwnerAlert>> = {
  [ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE]: 'wholesale_low',
  [ErrorCode.NO_PAYMENT_CARD]: 'no_card',
};

/** Refusals about the pressed button itself are alerts on it; the rest are messages that stay in the chat. */
const AS_ALERT: ReadonlySet<TextKey> = new Set<TextKey>(['common.unavailable', 'buy.walletShort']);

/**
 * The purchase in a private chat (PRODUCT.md C8): /buy → plan → renew or new → payment method →
 * card details, or paid from the wallet. Each step is one use case of libs/sales in a savepoint of
 * the update's transaction, so a refusal becomes a message and leaves nothing half-written; five
 * taps on the same button make one order (keyed by the message the plan was chosen on).
 */
@Injectable()
export class SalePurchaseHandler {
  readonly composer: Routes;

  constructor(
    private readonly db: TenantDb,
    private readonly queries: SalesQueries,
    private readonly createOrder: CreateOrderUseCase,
    private readonly startCardPayment: StartCardPaymentUseCase,
    private readonly payFromWallet: PayFromWalletUseCase,
    private readonly jobs: JobQueue,
    private readonly gateways: PaymentGateways,
    private readonly wallet: WalletHandler,
  ) {
    const c = new Routes();
    c.command('buy', (ctx) => this.showPlans(ctx));
    c.action(CallbackData.menu('buy'), async (ctx) => {
      ctx.answerCallback();
      await this.showPlans(ctx);
    });
    c.action(/^s:/, (ctx) => this.onCallback(ctx));
    this.composer = c;
  }

  private async showPlans(ctx: BotContext): Promise<void> {
    if (!canSell(ctx.profile.features)) return answerUnavailable(ctx);
    const [plans, currency] = await Promise.all([
      this.queries.activePlans(ctx.botId),
      this.queries.currency(ctx.botId),
    ]);
    ctx.show(plansScreen(plans, ctx.lang, currency));
  }

  private async onCallback(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parseSaleCallback(q && 'data' in q ? q.data : undefined);
    if (!parsed || !ctx.user || !canSell(ctx.profile.features)) return answerUnavailable(ctx);
    switch (parsed.kind) {
      case 'plan':
        return this.onPlan(ctx, parsed.planId);
      case 'new':
        return this.order(ctx, parsed.planId);
      case 'renew':
        return this.order(ctx, parsed.planId, parsed.subscriptionId);
      case 'payCard':
        return this.payByCard(ctx, parsed.orderId);
      case 'payWallet':
        return this.payFromOwnWallet(ctx, parsed.orderId);
      default:
        return answerUnavailable(ctx);
    }
  }

  private async onPlan(ctx: BotContext, planId: string): Promise<void> {
    const plan = await this.queries.availablePlan(ctx.botId, planId);
    if (!plan || !ctx.user) return answerUnavailable(ctx);
    // Only subscriptions this plan can renew (on their own panel) are offered; otherwise it is a new one.
    const subs = await this.queries.subscriptionsRenewableWith(ctx.botId, ctx.user.id, plan);
    if (!subs.length) return this.order(ctx, plan.id);
    ctx.answerCallback();
    ctx.show(renewOrNewScreen(plan, subs, ctx.lang, await this.queries.currency(ctx.botId)));
  }

  /** Creates (or finds) the order, then shows how to pay. */
  private async order(ctx: BotContext, planId: string, renewSubscriptionId?: string): Promise<void> {
    const user = ctx.user!;
    const messageId = ctx.callbackQuery?.message?.message_id ?? 0;
    const idempotencyKey = `tap:${user.telegramId}:${messageId}:${planId}:${renewSubscriptionId ?? 'new'}`;
    try {
      const { order, plan, balance, methods, online } = await this.db.atomic(ctx.botId, async () => {
        const made = await this.createOrder.execute({
          botId: ctx.botId,
          userId: user.id,
          planId,
          idempotencyKey,
          renewSubscriptionId,
        });
        return { ...made, ...(await this.payable(ctx, made.order)) };
      });
      ctx.answerCallback();
      await this.present(ctx, order, plan, balance, methods, online);
    } catch (e) {
      await this.refuse(ctx, e);
    }
  }

  /**
   * The payment screen of the user's pending order again (after a promo code changed its price: the payment
   * screen's "Promo code" button, libs/telegram/src/growth/promo.handler.ts). Nothing when it is not pending.
   */
  async showMethods(ctx: BotContext, orderId: string): Promise<void> {
    const user = ctx.user;
    if (!user) return;
    try {
      const shown = await this.db.atomic(ctx.botId, async () => {
        const order = await this.queries.orderOfUser(ctx.botId, user.id, orderId);
        const plan = order?.status === 'pending' ? await this.queries.availablePlan(ctx.botId, order.planId) : null;
        return order && plan ? { order, plan, ...(await this.payable(ctx, order)) } : null;
      });
      if (shown) await this.present(ctx, shown.order, shown.plan, shown.balance, shown.methods, shown.online);
    } catch (e) {
      await this.refuse(ctx, e);
    }
  }

  /** How this order can be paid; INSUFFICIENT_BALANCE when nothing can pay it (the caller's savepoint undoes the order). */
  private async payable(
    ctx: BotContext,
    order: OrderEntity,
  ): Promise<{ balance: number; methods: ReturnType<typeof paymentMethodsFor>; online: string[] }> {
    const walletMinor = await this.queries.walletBalance(ctx.botId, order.userId);
    const methods = paymentMethodsFor(ctx.profile.features, walletMinor, order.amountMinor);
    const { id: orderId, amountMinor, currency } = order;
    const online = await this.gateways.availableFor(ctx.botId, amountMinor, currency, { orderId });
    if (!canPayOrder(methods, online.length)) {
      throw new DomainError(ErrorCode.INSUFFICIENT_BALANCE, 'No payment method can pay this order', {
        balanceMinor: walletMinor,
        requiredMinor: amountMinor,
        currency,
      });
    }
    return { balance: walletMinor, methods, online: online.map((g) => g.gateway.method) };
  }

  private async present(
    ctx: BotContext,
    order: OrderEntity,
    plan: PlanEntity,
    balance: number,
    methods: ReturnType<typeof paymentMethodsFor>,
    online: string[],
  ): Promise<void> {
    ctx.show(
      methodsScreen(order, plan, ctx.lang, {
        card: methods.card,
        walletBalanceMinor: methods.wallet ? balance : null,
        gateways: online,
        topUpDifference: methods.wallet ? null : await this.wallet.differenceButton(ctx, order, balance),
        promo: ctx.profile.features.has('promo_codes') && !order.promocodeId,
      }),
    );
  }

  private async payByCard(ctx: BotContext, orderId: string): Promise<void> {
    try {
      const { payment, card } = await this.db.atomic(ctx.botId, () =>
        this.startCardPayment.execute({ botId: ctx.botId, orderId, by: { userId: ctx.user!.id } }),
      );
      const [currency, requiresPhoto] = await Promise.all([
        this.queries.currency(ctx.botId),
        this.queries.receiptRequiresPhoto(ctx.botId),
      ]);
      ctx.answerCallback();
      ctx.show(cardScreen(payment, card, currency, ctx.lang, requiresPhoto));
    } catch (e) {
      await this.refuse(ctx, e);
    }
  }

  private async payFromOwnWallet(ctx: BotContext, orderId: string): Promise<void> {
    try {
      await this.db.atomic(ctx.botId, () =>
        this.payFromWallet.execute({ botId: ctx.botId, orderId, by: { userId: ctx.user!.id } }),
      );
      ctx.answerCallback();
      ctx.show({ text: translate(ctx.lang, 'buy.walletPaid') });
    } catch (e) {
      // Short (the balance changed since the screen): the figures and "Top up the difference" (wallet/).
      if (DomainError.is(e, ErrorCode.INSUFFICIENT_BALANCE)) return this.wallet.showShort(ctx, orderId, e.details);
      await this.refuse(ctx, e);
    }
  }

  /** Tells the user why a step was refused (and the owner, when only they can fix it); rethrows the unexpected. */
  private async refuse(ctx: BotContext, err: unknown): Promise<void> {
    if (!DomainError.is(err)) throw err;
    const alert = OWNER_ALERTS[err.code];
    if (alert) await this.notifyOwner(ctx.botId, alert);
    const figures = walletFigures(ctx.lang, err.details);
    const key = figures ? replyFor(err.code, PURCHASE_REPLIES) : replyFor(err.code);
    const text = translate(ctx.lang, key, figures ?? {});
    if (AS_ALERT.has(key) && ctx.callbackQuery) return ctx.answerCallback(alertText(text), true);
    ctx.answerCallback();
    ctx.say(text);
  }

  /** Tells the owner once an hour at most (deterministic job id per hour), after the update commits. */
  private async notifyOwner(botId: string, kind: OwnerAlert): Promise<void> {
    const hour = Math.floor(Date.now() / 3_600_000);
    await this.db.afterCommit(botId, async () => {
      await this.jobs.add(
        JobName.NotifyOwner,
        { botId, kind },
        { jobId: jobIdFor(JobName.NotifyOwner, [botId, kind, hour]) },
      );
    });
  }
}
