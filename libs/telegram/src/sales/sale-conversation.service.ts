import { Injectable } from '@nestjs/common';
import { Composer } from 'telegraf';
import { In, IsNull, MoreThan } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { ConfigurationsService } from '@botfleet/catalog';
import { BotSelfRepository, TenantDb, TenantRepositories } from '@botfleet/dal';
import { JobName, JobQueue, jobIdFor } from '@botfleet/jobs';
import { CardPaymentService, PurchaseService, ReviewPolicy, WalletPaymentService } from '@botfleet/sales';
import type { BotContext } from '../context/bot-context';
import type { TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import { CallbackData } from '../screens/callback-data';
import { parseSaleCallback, SaleCallback } from './sale-callbacks';
import { formatMoney } from './sale-format';
import {
  cardScreen,
  methodsScreen,
  REJECTION_PRESETS,
  plansScreen,
  rejectReasonsKeyboard,
  renewOrNewScreen,
  reviewKeyboard,
} from './sale-screens';

const TRACKING = /C2C-\d{6}-[2-9A-Z]{6}/;
const OPEN_FOR_RECEIPT = ['awaiting_receipt', 'rejected'] as const;

/**
 * The sale in the bot (PRODUCT.md C8): /buy → plan → renew or new → payment method → card
 * details → receipt; and the admins' review (Approve / Reject with a reason) wherever the review
 * message went. Every step calls the one domain use case the REST API calls too; each call runs
 * in a savepoint of the update's transaction, so an expected refusal becomes a message and
 * leaves nothing half-written. Repeated taps are harmless: an order is keyed by the message the
 * plan was chosen on, a card payment by its order, a review by a conditional update.
 */
@Injectable()
export class SaleConversation {
  /** Purchase and receipts, for private chats. */
  readonly privateChat: Composer<BotContext>;
  /** Receipt review callbacks and typed rejection reasons, for any chat. */
  readonly review: Composer<BotContext>;

  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly botSelf: BotSelfRepository,
    private readonly purchase: PurchaseService,
    private readonly cards: CardPaymentService,
    private readonly reviewPolicy: ReviewPolicy,
    private readonly walletPay: WalletPaymentService,
    private readonly configurations: ConfigurationsService,
    private readonly jobs: JobQueue,
  ) {
    this.privateChat = this.buildPrivate();
    this.review = this.buildReview();
  }

  private buildPrivate(): Composer<BotContext> {
    const c = new Composer<BotContext>();
    c.command('buy', (ctx) => this.showPlans(ctx));
    c.action(CallbackData.menu('buy'), async (ctx) => {
      ctx.answerCallback();
      await this.showPlans(ctx);
    });
    c.action(/^s:/, (ctx) => this.onSaleCallback(ctx));
    c.on('photo', (ctx, next) => this.onReceiptPhoto(ctx, next));
    c.on('text', (ctx, next) => this.onReceiptText(ctx, next));
    return c;
  }

  private buildReview(): Composer<BotContext> {
    const c = new Composer<BotContext>();
    c.action(/^rv:/, (ctx) => this.onReviewCallback(ctx));
    c.on('text', (ctx, next) => this.onTypedReason(ctx, next));
    return c;
  }

  /** Whether the buy screen leads anywhere: some way to pay is on. */
  static canSell(features: ReadonlySet<string>): boolean {
    return features.has('card_to_card') || features.has('wallet');
  }

  private say(ctx: BotContext, key: TextKey, vars = {}): void {
    ctx.say(translate(ctx.lang, key, vars));
  }

  private unavailable(ctx: BotContext): void {
    if (ctx.callbackQuery) ctx.answerCallback(translate(ctx.lang, 'common.unavailable'), true);
    else ctx.say(translate(ctx.lang, 'common.unavailable'));
  }

  private async currency(botId: string): Promise<string> {
    return (await this.botSelf.get(botId))?.currency ?? 'IRR';
  }

  private async showPlans(ctx: BotContext): Promise<void> {
    if (!SaleConversation.canSell(ctx.profile.features)) return this.unavailable(ctx);
    const [plans, currency] = await Promise.all([this.purchase.activePlans(ctx.botId), this.currency(ctx.botId)]);
    ctx.show(plansScreen(plans, ctx.lang, currency));
  }

  private async onSaleCallback(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parseSaleCallback(q && 'data' in q ? q.data : undefined);
    if (!parsed || !ctx.user || !SaleConversation.canSell(ctx.profile.features)) return this.unavailable(ctx);
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
        return this.payFromWallet(ctx, parsed.orderId);
      default:
        return this.unavailable(ctx);
    }
  }

  private async onPlan(ctx: BotContext, planId: string): Promise<void> {
    const plan = await this.repos.plans.findOne(ctx.botId, { id: planId, isActive: true, deletedAt: IsNull() });
    if (!plan || !ctx.user) return this.unavailable(ctx);
    const subs = await this.repos.subscriptions.find(ctx.botId, {
      where: { userId: ctx.user.id, status: In(['active', 'expired', 'disabled']) },
      order: { expiresAt: 'DESC' },
      take: 5,
    });
    if (!subs.length) return this.order(ctx, plan.id);
    ctx.answerCallback();
    ctx.show(renewOrNewScreen(plan, subs, ctx.lang, await this.currency(ctx.botId)));
  }

  /** Creates (or finds) the order, then shows how to pay. Five taps on the same button make one order. */
  private async order(ctx: BotContext, planId: string, renewSubscriptionId?: string): Promise<void> {
    const user = ctx.user!;
    const messageId = ctx.callbackQuery?.message?.message_id ?? 0;
    const key = `tap:${user.telegramId}:${messageId}:${planId}:${renewSubscriptionId ?? 'new'}`;
    try {
      const { order, plan } = await this.db.atomic(ctx.botId, () =>
        this.purchase.createOrder(ctx.botId, { userId: user.id, planId, idempotencyKey: key, renewSubscriptionId }),
      );
      const balance = (await this.repos.users.findById(ctx.botId, user.id))?.balanceMinor ?? 0;
      ctx.answerCallback();
      ctx.show(
        methodsScreen(order, plan, ctx.lang, {
          card: ctx.profile.features.has('card_to_card'),
          walletBalanceMinor: ctx.profile.features.has('wallet') && balance >= order.amountMinor ? balance : null,
        }),
      );
    } catch (e) {
      if (DomainError.is(e, ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE)) {
        ctx.answerCallback();
        this.say(ctx, 'buy.shopCannotSell');
        await this.notifyOwner(ctx.botId, 'wholesale_low');
        return;
      }
      if (DomainError.is(e, ErrorCode.NOT_FOUND) || DomainError.is(e, ErrorCode.FORBIDDEN))
        return this.unavailable(ctx);
      throw e;
    }
  }

  /** The order must be this user's, in this bot: anything else is simply not found. */
  private async ownOrder(ctx: BotContext, orderId: string) {
    return this.repos.orders.findOne(ctx.botId, { id: orderId, userId: ctx.user!.id });
  }

  private async payByCard(ctx: BotContext, orderId: string): Promise<void> {
    if (!(await this.ownOrder(ctx, orderId))) return this.unavailable(ctx);
    try {
      const { payment, card } = await this.db.atomic(ctx.botId, () => this.cards.start(ctx.botId, orderId));
      const [currency, requiresPhoto] = await Promise.all([
        this.currency(ctx.botId),
        this.configurations.get(ctx.botId, 'receipt_requires_photo'),
      ]);
      ctx.answerCallback();
      ctx.show(cardScreen(payment, card, currency, ctx.lang, (requiresPhoto as boolean) !== false));
    } catch (e) {
      if (DomainError.is(e, ErrorCode.NO_PAYMENT_CARD)) {
        ctx.answerCallback();
        this.say(ctx, 'card.noCard');
        await this.notifyOwner(ctx.botId, 'no_card');
        return;
      }
      if (DomainError.is(e, ErrorCode.ALREADY_PAID)) {
        ctx.answerCallback();
        this.say(ctx, 'buy.orderClosed');
        return;
      }
      if (DomainError.is(e, ErrorCode.FEATURE_NOT_ALLOWED) || DomainError.is(e, ErrorCode.NOT_FOUND)) {
        return this.unavailable(ctx);
      }
      throw e;
    }
  }

  private async payFromWallet(ctx: BotContext, orderId: string): Promise<void> {
    const order = await this.ownOrder(ctx, orderId);
    if (!order) return this.unavailable(ctx);
    try {
      await this.db.atomic(ctx.botId, () => this.walletPay.pay(ctx.botId, orderId));
      ctx.answerCallback();
      ctx.show({ text: translate(ctx.lang, 'buy.walletPaid') });
    } catch (e) {
      if (DomainError.is(e, ErrorCode.INSUFFICIENT_BALANCE)) {
        const balance = (await this.repos.users.findById(ctx.botId, order.userId))?.balanceMinor ?? 0;
        // Alerts are plain text: the same words without markup.
        const text = translate(ctx.lang, 'buy.walletShort', {
          balance: formatMoney(ctx.lang, balance, order.currency),
          price: formatMoney(ctx.lang, order.amountMinor, order.currency),
        }).replace(/<[^>]+>/g, '');
        ctx.answerCallback(text, true);
        return;
      }
      if (DomainError.is(e, ErrorCode.ALREADY_PAID)) {
        ctx.answerCallback();
        this.say(ctx, 'buy.orderClosed');
        return;
      }
      if (DomainError.is(e, ErrorCode.FEATURE_NOT_ALLOWED) || DomainError.is(e, ErrorCode.NOT_FOUND)) {
        return this.unavailable(ctx);
      }
      throw e;
    }
  }

  private async hasOpenPayment(ctx: BotContext): Promise<boolean> {
    if (!ctx.user) return false;
    return (
      (await this.repos.cardPayments.count(ctx.botId, {
        userId: ctx.user.id,
        status: In([...OPEN_FOR_RECEIPT]),
        expiresAt: MoreThan(new Date()),
      })) > 0
    );
  }

  private async onReceiptPhoto(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    if (!ctx.user || !msg || !('photo' in msg) || !msg.photo.length) return next();
    if (!(await this.hasOpenPayment(ctx))) {
      this.say(ctx, 'receipt.none');
      return;
    }
    const largest = msg.photo[msg.photo.length - 1];
    await this.submit(ctx, { kind: 'photo', fileId: largest.file_id, fileUniqueId: largest.file_unique_id });
  }

  private async onReceiptText(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    if (!ctx.user || !msg || !('text' in msg) || msg.text.startsWith('/')) return next();
    if (!(await this.hasOpenPayment(ctx))) return next();
    if (((await this.configurations.get(ctx.botId, 'receipt_requires_photo')) as boolean) !== false) {
      this.say(ctx, 'receipt.needPhoto');
      return;
    }
    await this.submit(ctx, { kind: 'text', text: msg.text });
  }

  private async submit(
    ctx: BotContext,
    receipt: { kind: 'photo'; fileId: string; fileUniqueId: string } | { kind: 'text'; text: string },
  ): Promise<void> {
    try {
      const payment = await this.db.atomic(ctx.botId, () => this.cards.submitReceipt(ctx.botId, ctx.user!.id, receipt));
      this.say(ctx, 'receipt.received', { tracking: payment.trackingNumber });
    } catch (e) {
      if (DomainError.is(e, ErrorCode.NOT_FOUND)) return this.say(ctx, 'receipt.none');
      if (DomainError.is(e, ErrorCode.VALIDATION_FAILED)) return this.say(ctx, 'receipt.needPhoto');
      throw e;
    }
  }

  // ---------- review ----------

  /** An early answer only (before showing keyboards); approve/reject enforce the rule themselves. */
  private async isReviewer(ctx: BotContext): Promise<boolean> {
    const id = ctx.from?.id;
    return id !== undefined && this.reviewPolicy.isReviewer(ctx.botId, id);
  }

  private adminLang(ctx: BotContext) {
    return ctx.profile.defaultLanguage;
  }

  private async onReviewCallback(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parseSaleCallback(q && 'data' in q ? q.data : undefined);
    const lang = this.adminLang(ctx);
    if (!parsed || !('paymentId' in parsed)) return this.unavailable(ctx);
    if (!(await this.isReviewer(ctx))) return ctx.answerCallback(translate(lang, 'review.onlyAdmins'), true);
    const payment = await this.repos.cardPayments.findById(ctx.botId, parsed.paymentId);
    if (!payment) return ctx.answerCallback(translate(lang, 'review.notFound'), true);
    const reviewer = { actorType: 'bot_admin' as const, actorId: String(ctx.from!.id) };
    const msg = q?.message;
    switch (parsed.kind) {
      case 'approve':
        return this.decide(ctx, () => this.cards.approve(ctx.botId, payment.id, reviewer));
      case 'reject':
      case 'reviewBack':
        if (payment.status !== 'pending') return ctx.answerCallback(translate(lang, 'review.already'), true);
        ctx.answerCallback();
        if (msg)
          ctx.outbox.add('editMessageReplyMarkup', {
            chat_id: msg.chat.id,
            message_id: msg.message_id,
            reply_markup: {
              inline_keyboard:
                parsed.kind === 'reject' ? rejectReasonsKeyboard(payment.id, lang) : reviewKeyboard(payment.id, lang),
            },
          });
        return;
      case 'rejectWith': {
        const key = REJECTION_PRESETS[parsed.preset];
        if (!key) return this.unavailable(ctx);
        return this.decide(ctx, () => this.cards.reject(ctx.botId, payment.id, reviewer, translate(lang, key)));
      }
      case 'rejectTyped':
        if (payment.status !== 'pending') return ctx.answerCallback(translate(lang, 'review.already'), true);
        ctx.answerCallback();
        if (msg)
          ctx.outbox.add('sendMessage', {
            chat_id: msg.chat.id,
            text: translate(lang, 'review.typeReason', { tracking: payment.trackingNumber }),
            parse_mode: 'HTML',
            reply_markup: { force_reply: true, selective: true },
            ...('message_thread_id' in msg && msg.message_thread_id
              ? { message_thread_id: msg.message_thread_id }
              : {}),
          });
        return;
      default:
        return this.unavailable(ctx);
    }
  }

  private async decide(ctx: BotContext, act: () => Promise<unknown>): Promise<void> {
    const lang = this.adminLang(ctx);
    try {
      await this.db.atomic(ctx.botId, act);
      ctx.answerCallback(translate(lang, 'review.done'));
    } catch (e) {
      // The use case has the last word: the early check may be stale (an admin removed meanwhile).
      if (DomainError.is(e, ErrorCode.FORBIDDEN)) return ctx.answerCallback(translate(lang, 'review.onlyAdmins'), true);
      if (DomainError.is(e, ErrorCode.ALREADY_REVIEWED) || DomainError.is(e, ErrorCode.ALREADY_PAID)) {
        return ctx.answerCallback(translate(lang, 'review.already'), true);
      }
      if (DomainError.is(e, ErrorCode.CONFLICT) || DomainError.is(e, ErrorCode.VALIDATION_FAILED)) {
        return ctx.answerCallback(e instanceof Error ? e.message.slice(0, 190) : '', true);
      }
      throw e;
    }
  }

  /** An admin's reply to our "type the reason" prompt rejects that payment with the reply's text. */
  private async onTypedReason(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    if (!msg || !('text' in msg) || !msg.reply_to_message) return next();
    const replied = msg.reply_to_message;
    const repliedText = 'text' in replied ? replied.text : undefined;
    const tracking = repliedText ? TRACKING.exec(repliedText)?.[0] : undefined;
    if (!tracking || !replied.from?.is_bot || replied.from.id !== ctx.botInfo?.id) return next();
    if (!(await this.isReviewer(ctx))) return next();
    const payment = await this.repos.cardPayments.findOne(ctx.botId, { trackingNumber: tracking });
    const lang = this.adminLang(ctx);
    if (!payment) return ctx.say(translate(lang, 'review.notFound'));
    try {
      await this.db.atomic(ctx.botId, () =>
        this.cards.reject(ctx.botId, payment.id, { actorType: 'bot_admin', actorId: String(ctx.from!.id) }, msg.text),
      );
      ctx.say(translate(lang, 'review.done'), { reply_parameters: { message_id: msg.message_id } });
    } catch (e) {
      if (DomainError.is(e, ErrorCode.FORBIDDEN)) return ctx.say(translate(lang, 'review.onlyAdmins'));
      if (DomainError.is(e, ErrorCode.ALREADY_REVIEWED) || DomainError.is(e, ErrorCode.CONFLICT)) {
        return ctx.say(translate(lang, 'review.already'));
      }
      if (DomainError.is(e, ErrorCode.VALIDATION_FAILED)) return ctx.say(e instanceof Error ? e.message : '');
      throw e;
    }
  }

  /** Tells the owner once an hour at most (deterministic job id per hour). */
  private async notifyOwner(botId: string, kind: 'wholesale_low' | 'no_card'): Promise<void> {
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

export type { SaleCallback };
