import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { DomainError } from '@botfleet/common';
import { TenantDb } from '@botfleet/dal';
import { AutoRenewals, DEFAULT_AUTO_RENEW_DAYS_BEFORE } from '@botfleet/growth';
import { SubscriptionViewsService } from '@botfleet/provisioning';
import { canSell } from '@botfleet/sales';
import type { BotContext } from '../context/bot-context';
import { alertText, answerUnavailable } from '../sales/sale-replies';
import { subscriptionsScreen } from '../screens/subscriptions.screen';
import { parseAutoRenewCallback } from './auto-renew-callbacks';

/**
 * The auto-renew toggle on /subs (`ar:` buttons, feature `auto_renewal`): turns it on or off for one of the
 * tapping user's own active subscriptions (AutoRenewals.set), says so in an alert and shows /subs again.
 */
@Injectable()
export class AutoRenewHandler {
  readonly composer: Routes;

  constructor(
    private readonly db: TenantDb,
    private readonly autoRenewals: AutoRenewals,
    private readonly subscriptions: SubscriptionViewsService,
  ) {
    const c = new Routes();
    c.action(/^ar:/, (ctx) => this.onToggle(ctx));
    this.composer = c;
  }

  private async onToggle(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parseAutoRenewCallback(q && 'data' in q ? q.data : undefined);
    if (!parsed || !ctx.user || !ctx.profile.features.has('auto_renewal')) return answerUnavailable(ctx);
    const user = ctx.user;
    try {
      await this.db.atomic(ctx.botId, () =>
        this.autoRenewals.set(ctx.botId, user.id, parsed.subscriptionId, parsed.on),
      );
    } catch (e) {
      if (e instanceof DomainError) return answerUnavailable(ctx);
      throw e;
    }
    const days = (await this.autoRenewals.daysBefore(ctx.botId)) ?? DEFAULT_AUTO_RENEW_DAYS_BEFORE;
    ctx.answerCallback(alertText(ctx.t(parsed.on ? 'autorenew.turnedOn' : 'autorenew.turnedOff', { days })), true);
    const subs = await this.subscriptions.listForUser(ctx.botId, user.id);
    ctx.show(subscriptionsScreen(ctx.lang, subs, canSell(ctx.profile.features), true));
  }
}
