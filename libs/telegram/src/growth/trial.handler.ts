import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { DomainError, ErrorCode } from '@botfleet/common';
import { TenantDb } from '@botfleet/dal';
import { isTrialUsed, StartTrialUseCase } from '@botfleet/growth';
import { JobName, JobQueue, jobIdFor } from '@botfleet/jobs';
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
  readonly composer: Routes;

  constructor(
    private readonly db: TenantDb,
    private readonly trial: StartTrialUseCase,
    private readonly jobs: JobQueue,
  ) {
    const c = new Routes();
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
      // The shop wallet cannot pay the operator's trial price: the owner hears it like for a sale (once an hour).
      if (e.code === ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE) await this.notifyOwner(ctx.botId);
      if (ctx.callbackQuery) ctx.answerCallback();
      ctx.say(ctx.t(isTrialUsed(e) ? 'trial.used' : replyFor(e.code)));
    }
  }

  private async notifyOwner(botId: string): Promise<void> {
    const hour = Math.floor(Date.now() / 3_600_000);
    await this.db.afterCommit(botId, async () => {
      await this.jobs.add(
        JobName.NotifyOwner,
        { botId, kind: 'wholesale_low' },
        { jobId: jobIdFor(JobName.NotifyOwner, [botId, 'wholesale_low', hour]) },
      );
    });
  }
}
