import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { ReferralQueries } from '@botfleet/growth';
import { SalesQueries } from '@botfleet/sales';
import type { BotContext } from '../context/bot-context';
import { isMenuActionAvailable, menuEnvironment } from '../menu/menu-actions';
import { CallbackData } from '../screens/callback-data';
import { answerUnavailable } from '../sales/sale-replies';
import { referralScreen } from './referral-screens';

/**
 * The referral program in the bot (feature `referral_program`): `/ref` and the menu's button show the user's
 * link (`https://t.me/<bot>?start=ref_<code>`, recorded at /start), the commission, how many joined by it and
 * bought, and what it earned (ReferralQueries; the commission itself is ReferralCommissions in libs/growth).
 */
@Injectable()
export class ReferralHandler {
  readonly composer: Routes;

  constructor(
    private readonly referrals: ReferralQueries,
    private readonly queries: SalesQueries,
  ) {
    const c = new Routes();
    c.command('ref', (ctx) => this.show(ctx));
    c.action(CallbackData.menu('referral'), (ctx) => this.show(ctx));
    this.composer = c;
  }

  private async show(ctx: BotContext): Promise<void> {
    if (!ctx.user || !isMenuActionAvailable('referral', menuEnvironment(ctx.profile))) return answerUnavailable(ctx);
    const [summary, currency] = await Promise.all([
      this.referrals.summary(ctx.botId, ctx.user.id),
      this.queries.currency(ctx.botId),
    ]);
    if (ctx.callbackQuery) ctx.answerCallback();
    ctx.show(referralScreen(ctx.lang, ctx.profile.username, summary, currency));
  }
}
