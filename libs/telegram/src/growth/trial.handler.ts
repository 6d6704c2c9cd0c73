import { Injectable } from '@nestjs/common';
import { Composer } from 'telegraf';
import { DomainError } from '@botfleet/common';
import { isTrialUsed, StartTrialUseCase } from '@botfleet/growth';
import type { BotContext } from '../context/bot-context';
import { replyFor } from '../errors/reply-for';
import { isMenuActionAvailable, menuEnvironment } from '../menu/menu-actions';
import { CallbackData } from '../screens/callback-data';
import { localizedName } from '../sales/sale-format';
import { answerUnavailable } from '../sales/sale-replies';
import { plain } from '../text/html';

/**
 * The free trial in the bot (feature `trial_subscription`): `/trial` and the menu's trial button start it
 * (StartTrialUseCase: once per user, provisioned like a sale); the link arrives by the sale's own delivery.
 * A second try is told that the trial was used; a shop that cannot give one now answers like any refusal.
 */
@Injectable()
export class TrialHandler {
  readonly composer: Composer<BotContext>;

  constructor(private readonly trial: StartTrialUseCase) {
    const c = new Composer<BotContext>();
    c.command('trial', (ctx) => this.start(ctx));
    c.action(CallbackData.menu('trial'), (ctx) => this.start(ctx));
    this.composer = c;
  }

  private async start(ctx: BotContext): Promise<void> {
    if (!ctx.user || !isMenuActionAvailable('trial', menuEnvironment(ctx.profile))) return answerUnavailable(ctx);
    try {
      const { plan } = await this.trial.execute({ botId: ctx.botId, userId: ctx.user.id });
      if (ctx.callbackQuery) ctx.answerCallback();
      ctx.say(ctx.t('trial.started', { plan: { html: plain(localizedName(plan.name, ctx.lang), 64) } }));
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      if (ctx.callbackQuery) ctx.answerCallback();
      ctx.say(ctx.t(isTrialUsed(e) ? 'trial.used' : replyFor(e.code)));
    }
  }
}
