import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { DomainError, ErrorCode } from '@botfleet/common';
import type { InlineKeyboardButton } from 'telegraf/types';
import { OrderEntity, TenantDb } from '@botfleet/dal';
import {
  isTopUpAmount,
  mayTopUp,
  minorDigits,
  parseTypedAmount,
  PaymentGateways,
  StartCardTopUpUseCase,
  StartGatewayTopUpUseCase,
  TopUpLimits,
  TopUpOffer,
  TopUpOptions,
  topUpForOrder,
  WalletQueries,
} from '@botfleet/payments';
import { PayFromWalletUseCase, SalesQueries } from '@botfleet/sales';
import type { BotContext } from '../context/bot-context';
import { replyFor } from '../errors/reply-for';
import { translate } from '../i18n/translate';
import { CallbackData } from '../screens/callback-data';
import { formatMoney } from '../sales/sale-format';
import { alertText, answerUnavailable, walletFigures } from '../sales/sale-replies';
import { cardScreen } from '../sales/sale-screens';
import { gatewayLabel, paymentLinkScreen } from '../payments/payment-screens';
import { invoiceToSend, queueStarsInvoice } from '../payments/stars-invoice';
import { parseWalletCallback, WalletCallback } from './wallet-callbacks';
import {
  amountPromptText,
  isAmountPrompt,
  MOVEMENTS_PER_PAGE,
  TopUpForOrder,
  TopUpMethods,
  topUpAmountsScreen,
  topUpDifferenceButton,
  topUpMethodsScreen,
  walletScreen,
} from './wallet-screens';

/**
 * The wallet in a private chat (issue 12 part 5): /wallet (balance, the ledger's movements, paged), Top up → a
 * preset or a typed amount → a way to pay (card to card goes through the sale's receipt review), and, from an
 * order the wallet could not cover, "Top up the difference" → after the credit the user is asked to pay the
 * order from the wallet (PayFromWalletUseCase). Every step is a use case or a query; refusals are the
 * catalogue's words. Callback data is parsed strictly and every id is looked up inside the bot and the user.
 */
@Injectable()
export class WalletHandler {
  readonly composer: Routes;

  constructor(
    private readonly db: TenantDb,
    private readonly wallet: WalletQueries,
    private readonly options: TopUpOptions,
    private readonly startCardTopUp: StartCardTopUpUseCase,
    private readonly payFromWallet: PayFromWalletUseCase,
    private readonly sales: SalesQueries,
    private readonly gateways: PaymentGateways,
    private readonly startGatewayTopUp: StartGatewayTopUpUseCase,
  ) {
    const c = new Routes();
    c.command('wallet', (ctx) => this.showWallet(ctx, 1));
    c.action(CallbackData.menu('wallet'), (ctx) => this.showWallet(ctx, 1));
    c.action(/^wt:/, (ctx) => this.onCallback(ctx));
    c.on('text', (ctx, next) => this.onTypedAmount(ctx, next));
    this.composer = c;
  }

  private on(ctx: BotContext): boolean {
    return !!ctx.user && ctx.profile.features.has('wallet');
  }

  /** Whether any way to top up is on: card to card, or an online gateway (the payments port). */
  private canTopUp(ctx: BotContext): boolean {
    return mayTopUp(
      ctx.profile.features,
      this.gateways.all().map((g) => g.featureKey),
    );
  }

  /** The ways to pay a top-up of this amount: card to card when on, and every gateway that is on and takes it. */
  private async methodsFor(ctx: BotContext, amountMinor: number, currency: string): Promise<TopUpMethods> {
    const online = await this.gateways.availableFor(ctx.botId, amountMinor, currency);
    return {
      card: ctx.profile.features.has('card_to_card'),
      gateways: online.map(({ gateway }) => ({
        method: gateway.method,
        label: gatewayLabel(ctx.lang, gateway.method),
      })),
    };
  }

  private async showWallet(ctx: BotContext, page: number): Promise<void> {
    if (!this.on(ctx)) return answerUnavailable(ctx);
    const user = ctx.user!;
    const [balance, movements, currency] = await Promise.all([
      this.wallet.balance(ctx.botId, user.id),
      this.wallet.movements(ctx.botId, user.id, page, MOVEMENTS_PER_PAGE),
      this.sales.currency(ctx.botId),
    ]);
    ctx.answerCallback();
    ctx.show(walletScreen(ctx.lang, balance ?? 0, currency, movements, this.canTopUp(ctx)));
  }

  private async onCallback(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parseWalletCallback(q && 'data' in q ? q.data : undefined);
    if (!parsed || !this.on(ctx)) return answerUnavailable(ctx);
    try {
      await this.dispatch(ctx, parsed);
    } catch (e) {
      await this.refuse(ctx, e);
    }
  }

  private async dispatch(ctx: BotContext, cb: WalletCallback): Promise<void> {
    switch (cb.kind) {
      case 'home':
        return this.showWallet(ctx, cb.page);
      case 'amounts':
        if (!this.canTopUp(ctx)) return answerUnavailable(ctx);
        ctx.answerCallback();
        return ctx.show(topUpAmountsScreen(ctx.lang, await this.options.offer(ctx.botId)));
      case 'typeAmount':
        if (!this.canTopUp(ctx)) return answerUnavailable(ctx);
        ctx.answerCallback();
        return ctx.say(amountPromptText(ctx.lang, await this.options.offer(ctx.botId)), {
          reply_markup: { force_reply: true },
        });
      case 'methods':
        return this.showMethods(ctx, cb.amountMinor, cb.orderId);
      case 'card':
        return this.payByCard(ctx, cb.amountMinor, cb.orderId);
      case 'gateway':
        return this.payOnline(ctx, cb.method, cb.amountMinor, cb.orderId);
      case 'difference':
        return this.topUpDifference(ctx, cb.orderId);
      case 'payOrder':
        return this.payOrder(ctx, cb.orderId);
      default:
        return answerUnavailable(ctx);
    }
  }

  /** An amount within the limits, else the limits are told (and nothing else happens). */
  private async withinLimits(ctx: BotContext, amountMinor: number, offer?: TopUpOffer): Promise<boolean> {
    const o = offer ?? (await this.options.offer(ctx.botId));
    if (isTopUpAmount(amountMinor, o)) return true;
    this.tell(ctx, translate(ctx.lang, 'wallet.amountRange', this.limitsText(ctx, o, o.currency)), true);
    return false;
  }

  private limitsText(ctx: BotContext, l: TopUpLimits, currency: string): { min: string; max: string } {
    return { min: formatMoney(ctx.lang, l.minMinor, currency), max: formatMoney(ctx.lang, l.maxMinor, currency) };
  }

  /** The user's pending order (null when none is named); NOT_FOUND / ALREADY_PAID for any other. */
  private async orderFor(ctx: BotContext, orderId: string | null): Promise<TopUpForOrder | null> {
    return orderId ? this.wallet.orderToTopUpFor(ctx.botId, ctx.user!.id, orderId) : null;
  }

  private async showMethods(ctx: BotContext, amountMinor: number, orderId: string | null): Promise<void> {
    if (!this.canTopUp(ctx)) return answerUnavailable(ctx);
    const offer = await this.options.offer(ctx.botId);
    if (!(await this.withinLimits(ctx, amountMinor, offer))) return;
    const forOrder = await this.orderFor(ctx, orderId);
    const methods = await this.methodsFor(ctx, amountMinor, offer.currency);
    ctx.answerCallback();
    ctx.show(topUpMethodsScreen(ctx.lang, amountMinor, offer.currency, methods, forOrder));
  }

  /** Pays the top-up through an online gateway: its page as a URL button, or its invoice in the chat (Stars). */
  private async payOnline(ctx: BotContext, method: string, amountMinor: number, orderId: string | null): Promise<void> {
    const q = ctx.callbackQuery;
    const started = await this.db.atomic(ctx.botId, () =>
      this.startGatewayTopUp.request(
        {
          botId: ctx.botId,
          userId: ctx.user!.id,
          gateway: method,
          amountMinor,
          forOrderId: orderId,
          language: ctx.lang,
        },
        { messageId: q?.message?.message_id },
      ),
    );
    if (!started.action) {
      // The gateway is asked once this update commits; the link replaces this screen then (PaymentLinks).
      ctx.answerCallback(translate(ctx.lang, 'pay.preparing'));
      return;
    }
    if (started.action.kind === 'invoice') {
      const invoice = invoiceToSend(started.action.invoice);
      if (!invoice || !queueStarsInvoice(ctx, invoice)) return answerUnavailable(ctx);
      ctx.answerCallback();
      return;
    }
    ctx.answerCallback();
    ctx.show(paymentLinkScreen(started.payment, started.action.url, ctx.lang));
  }

  private async payByCard(ctx: BotContext, amountMinor: number, orderId: string | null): Promise<void> {
    if (!ctx.profile.features.has('card_to_card')) return answerUnavailable(ctx);
    const { payment, card } = await this.db.atomic(ctx.botId, () =>
      this.startCardTopUp.execute({ botId: ctx.botId, userId: ctx.user!.id, amountMinor, forOrderId: orderId }),
    );
    const [currency, requiresPhoto] = await Promise.all([
      this.sales.currency(ctx.botId),
      this.sales.receiptRequiresPhoto(ctx.botId),
    ]);
    ctx.answerCallback();
    ctx.show(cardScreen(payment, card, currency, ctx.lang, requiresPhoto));
  }

  /** "Top up the difference": what the wallet lacks for the order (at least the minimum top-up), then how to pay. */
  private async topUpDifference(ctx: BotContext, orderId: string): Promise<void> {
    if (!this.canTopUp(ctx)) return answerUnavailable(ctx);
    const forOrder = (await this.orderFor(ctx, orderId))!;
    const plan = topUpForOrder(forOrder.balanceMinor, forOrder.order.amountMinor, await this.options.limits(ctx.botId));
    switch (plan.kind) {
      case 'covered':
        return this.payOrder(ctx, orderId);
      case 'beyondLimit': {
        const max = formatMoney(ctx.lang, plan.maxMinor, forOrder.order.currency);
        return this.tell(ctx, translate(ctx.lang, 'wallet.cannotCover', { max }), false);
      }
      case 'topUp':
        return this.showMethods(ctx, plan.amountMinor, orderId);
    }
  }

  /** The user's answer to "Pay the order now?" (or a wallet that covers the order already): paid from the wallet. */
  private async payOrder(ctx: BotContext, orderId: string): Promise<void> {
    try {
      await this.db.atomic(ctx.botId, () =>
        this.payFromWallet.execute({ botId: ctx.botId, orderId, by: { userId: ctx.user!.id } }),
      );
    } catch (e) {
      if (!DomainError.is(e, ErrorCode.INSUFFICIENT_BALANCE)) throw e;
      return this.showShort(ctx, orderId, e.details);
    }
    ctx.answerCallback();
    ctx.show({ text: translate(ctx.lang, 'buy.walletPaid') });
  }

  /**
   * The wallet is short for the order (paying it from the wallet was refused): the figures and, where a top-up
   * can cover the lack, "Top up the difference". The purchase's wallet button uses it too.
   */
  async showShort(ctx: BotContext, orderId: string, details: unknown): Promise<void> {
    const figures = walletFigures(ctx.lang, details);
    const text = translate(ctx.lang, figures ? 'buy.walletShort' : 'error.insufficientBalance', figures ?? {});
    const order = await this.sales.orderOfUser(ctx.botId, ctx.user!.id, orderId);
    const balance = (await this.wallet.balance(ctx.botId, ctx.user!.id)) ?? 0;
    const button = order ? await this.differenceButton(ctx, order, balance) : null;
    ctx.answerCallback();
    ctx.say(text, button ? { reply_markup: { inline_keyboard: [[button]] } } : {});
  }

  /**
   * "Top up the difference" for a pending order the wallet does not cover, when the wallet is on, a way to top
   * up is on and a top-up within the limits covers the lack; null otherwise.
   */
  async differenceButton(
    ctx: BotContext,
    order: OrderEntity,
    balanceMinor: number,
  ): Promise<InlineKeyboardButton | null> {
    if (!this.on(ctx) || !this.canTopUp(ctx) || order.status !== 'pending') return null;
    const plan = topUpForOrder(balanceMinor, order.amountMinor, await this.options.limits(ctx.botId));
    return plan.kind === 'topUp' ? topUpDifferenceButton(ctx.lang, order, plan.amountMinor) : null;
  }

  /**
   * A reply to our "type the amount" prompt: a valid amount within the limits shows how to pay it; anything else
   * says what is expected. Other texts pass on (a receipt, the menu).
   */
  private async onTypedAmount(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    if (!msg || !('text' in msg) || !msg.reply_to_message || !this.on(ctx) || !this.canTopUp(ctx)) return next();
    const replied = msg.reply_to_message;
    const repliedText = 'text' in replied ? replied.text : undefined;
    if (!repliedText || replied.from?.id !== ctx.botInfo?.id) return next();
    if (!isAmountPrompt(repliedText, ctx.profile.languages)) return next();
    const offer = await this.options.offer(ctx.botId);
    const amount = parseTypedAmount(msg.text, minorDigits(offer.currency));
    if (amount === null) {
      ctx.say(translate(ctx.lang, 'wallet.amountInvalid', this.limitsText(ctx, offer, offer.currency)));
      return;
    }
    if (!(await this.withinLimits(ctx, amount, offer))) return;
    ctx.show(
      topUpMethodsScreen(ctx.lang, amount, offer.currency, await this.methodsFor(ctx, amount, offer.currency), null),
    );
  }

  /** A message, or an alert on the pressed button. */
  private tell(ctx: BotContext, text: string, asAlert: boolean): void {
    if (ctx.callbackQuery && asAlert) return ctx.answerCallback(alertText(text), true);
    ctx.answerCallback();
    ctx.say(text);
  }

  /** Tells the user why a step was refused; rethrows the unexpected. */
  private async refuse(ctx: BotContext, err: unknown): Promise<void> {
    if (!DomainError.is(err)) throw err;
    if (err.code === ErrorCode.VALIDATION_FAILED) {
      const offer = await this.options.offer(ctx.botId);
      return this.tell(
        ctx,
        translate(ctx.lang, 'wallet.amountRange', this.limitsText(ctx, offer, offer.currency)),
        true,
      );
    }
    this.tell(ctx, translate(ctx.lang, replyFor(err.code)), err.code === ErrorCode.NOT_FOUND);
  }
}
