import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { DomainError } from '@botfleet/common';
import { promoRejectionOf, RedeemPromoResult, RedeemPromoUseCase } from '@botfleet/growth';
import { SalesQueries } from '@botfleet/sales';
import type { BotContext } from '../context/bot-context';
import { replyFor } from '../errors/reply-for';
import { isMenuActionAvailable, menuEnvironment } from '../menu/menu-actions';
import { CallbackData } from '../screens/callback-data';
import { formatMoney } from '../sales/sale-format';
import { answerUnavailable } from '../sales/sale-replies';
import { SalePurchaseHandler } from '../sales/sale-purchase.handler';
import { escapeHtml } from '../text/html';
import { parsePromoCallback, promoPromptOf, promoRejectionText } from './promo-screens';

const PROMO_COMMAND = /^\/promo(?:@\w+)?(?:\s+(\S{1,64}))?\s*$/i;

/**
 * Promo codes in the bot (feature `promo_codes`, RedeemPromoUseCase): `/promo CODE` (a wallet bonus is credited
 * at once, a discount waits for the next purchase); `/promo` alone and the menu's button ask for the code; the
 * payment screen's "Promo code" button (`pc:o:<order>`) asks for it for the open order, which is then priced
 * again and its payment screen shown with the new price. A refusal says why (used up, expired, …).
 */
@Injectable()
export class PromoHandler {
  readonly composer: Routes;

  constructor(
    private readonly redeem: RedeemPromoUseCase,
    private readonly sale: SalePurchaseHandler,
    private readonly queries: SalesQueries,
  ) {
    const c = new Routes();
    c.hears(PROMO_COMMAND, (ctx) => this.onCommand(ctx, ctx.match[1]));
    c.action(CallbackData.menu('promo'), (ctx) => this.prompt(ctx, 'promo.prompt'));
    c.action(/^pc:/, (ctx) => this.onCallback(ctx));
    c.on('message', (ctx, next) => this.onReply(ctx, next));
    this.composer = c;
  }

  private on(ctx: BotContext): boolean {
    return !!ctx.user && isMenuActionAvailable('promo', menuEnvironment(ctx.profile));
  }

  private async onCommand(ctx: BotContext, code: string | undefined): Promise<void> {
    if (!this.on(ctx)) return answerUnavailable(ctx);
    if (!code) return this.prompt(ctx, 'promo.prompt');
    await this.use(ctx, code, false);
  }

  private prompt(ctx: BotContext, key: 'promo.prompt' | 'promo.promptOrder'): void {
    if (!this.on(ctx)) return answerUnavailable(ctx);
    if (ctx.callbackQuery) ctx.answerCallback();
    if (key === 'promo.prompt') ctx.say(ctx.t('promo.usage'));
    ctx.say(ctx.t(key), { reply_markup: { force_reply: true } });
  }

  private async onCallback(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parsePromoCallback(q && 'data' in q ? q.data : undefined);
    if (!parsed || !this.on(ctx)) return answerUnavailable(ctx);
    // The button's order must be this user's open order in this bot (a stale or forged one is not).
    const order = await this.queries.orderOfUser(ctx.botId, ctx.user!.id, parsed.orderId);
    if (order?.status !== 'pending') {
      ctx.answerCallback(ctx.t(order ? 'buy.orderClosed' : 'common.unavailable'), true);
      return;
    }
    this.prompt(ctx, 'promo.promptOrder');
  }

  /** A reply to one of our prompts is the code; other messages pass on. */
  private async onReply(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    if (!msg || !('text' in msg) || !msg.reply_to_message) return next();
    const replied = msg.reply_to_message;
    const repliedText = 'text' in replied ? replied.text : undefined;
    if (!repliedText || replied.from?.id !== ctx.botInfo?.id) return next();
    const prompt = promoPromptOf(repliedText, ctx.profile.languages);
    if (!prompt) return next();
    if (!this.on(ctx)) return answerUnavailable(ctx);
    await this.use(ctx, msg.text, prompt === 'promo.promptOrder');
  }

  private async use(ctx: BotContext, code: string, pendingOrder: boolean): Promise<void> {
    let result: RedeemPromoResult;
    try {
      result = await this.redeem.execute({ botId: ctx.botId, userId: ctx.user!.id, code, pendingOrder });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const reason = promoRejectionOf(e);
      ctx.say(ctx.t(reason ? promoRejectionText(reason) : replyFor(e.code)));
      return;
    }
    const shown = { html: `<code>${escapeHtml(result.code.code)}</code>` };
    if (result.outcome === 'credited') {
      const currency = await this.queries.currency(ctx.botId);
      ctx.say(
        ctx.t('promo.credited', {
          code: shown,
          amount: formatMoney(ctx.lang, result.amountMinor, currency),
          balance: formatMoney(ctx.lang, result.balanceMinor, currency),
        }),
      );
      return;
    }
    if (result.outcome === 'stored') {
      ctx.say(ctx.t('promo.stored', { code: shown }));
      return;
    }
    const { order } = result;
    if (order.discountMinor > 0) {
      ctx.say(
        ctx.t('promo.applied', {
          code: shown,
          price: formatMoney(ctx.lang, order.amountMinor, order.currency),
          was: formatMoney(ctx.lang, order.amountMinor + order.discountMinor, order.currency),
        }),
      );
    } else {
      ctx.say(
        ctx.t('promo.appliedDays', { code: shown, days: result.code.kind === 'extra_days' ? result.code.value : 0 }),
      );
    }
    await this.sale.showMethods(ctx, order.id);
  }
}
