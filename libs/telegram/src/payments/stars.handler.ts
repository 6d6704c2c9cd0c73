import { Injectable, Logger } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { DomainError } from '@botfleet/common';
import { TenantDb } from '@botfleet/dal';
import { StarsCheckout, StarsRefusal } from '@botfleet/payments';
import type { BotContext } from '../context/bot-context';
import type { TextKey } from '../i18n/texts';
import { htmlToText } from '../text/html';

/** Why Telegram's checkout is refused, in the buyer's words (shown by Telegram as plain text). */
const REFUSALS: Record<StarsRefusal, TextKey> = {
  unknown: 'stars.refuse.unknown',
  not_payable: 'stars.refuse.notPayable',
  price_changed: 'stars.refuse.priceChanged',
};

interface PaymentFields {
  currency?: unknown;
  total_amount?: unknown;
  invoice_payload?: unknown;
  telegram_payment_charge_id?: unknown;
}

/**
 * Telegram Stars in the bot: the checkout's three updates, each handed to StarsCheckout (libs/payments) inside the
 * update's transaction.
 * - `pre_checkout_query`: answered (after commit, well within Telegram's 10 s) ok only for this user's open
 *   payment at the recorded price; otherwise ok=false with the reason in the buyer's language.
 * - a message with `successful_payment`: the charge is settled once (order paid and fulfilled, or the wallet
 *   credited when the order closed meanwhile); a redelivery changes nothing and says nothing.
 * - a message with `refunded_payment` (Telegram refunded on its own): the port's refund, once; refused, it is applied
 *   later (order still fulfilling) or the owner is told (StarsCheckout.refundRefused).
 * The invoice itself is sent by the payment screen's gateway button (PaymentHandler → queueStarsInvoice).
 */
@Injectable()
export class StarsHandler {
  readonly composer: Routes;
  private readonly logger = new Logger(StarsHandler.name);

  constructor(
    private readonly db: TenantDb,
    private readonly checkout: StarsCheckout,
  ) {
    const c = new Routes();
    c.on('pre_checkout_query', (ctx) => this.onPreCheckout(ctx));
    c.on('message', (ctx, next) => {
      const m = ctx.message as { successful_payment?: PaymentFields; refunded_payment?: PaymentFields };
      if (m.successful_payment) return this.onPaid(ctx, m.successful_payment);
      if (m.refunded_payment) return this.onRefunded(ctx, m.refunded_payment);
      return next();
    });
    this.composer = c;
  }

  private async onPreCheckout(ctx: BotContext): Promise<void> {
    const q = ctx.preCheckoutQuery;
    if (!q) return;
    const verdict = await this.checkout.preCheckout(ctx.botId, {
      payload: q.invoice_payload,
      currency: q.currency,
      totalAmount: q.total_amount,
      fromTelegramId: q.from.id,
    });
    if (verdict.ok) {
      ctx.outbox.add('answerPreCheckoutQuery', { pre_checkout_query_id: q.id, ok: true });
      return;
    }
    ctx.outbox.add('answerPreCheckoutQuery', {
      pre_checkout_query_id: q.id,
      ok: false,
      error_message: htmlToText(ctx.t(REFUSALS[verdict.reason])),
    });
  }

  private async onPaid(ctx: BotContext, p: PaymentFields): Promise<void> {
    const from = ctx.from;
    if (!from || typeof p.telegram_payment_charge_id !== 'string' || typeof p.invoice_payload !== 'string') return;
    const r = await this.db.atomic(ctx.botId, () =>
      this.checkout.paid(ctx.botId, {
        payload: p.invoice_payload as string,
        currency: typeof p.currency === 'string' ? p.currency : '',
        totalAmount: typeof p.total_amount === 'number' ? p.total_amount : 0,
        fromTelegramId: from.id,
        chargeId: p.telegram_payment_charge_id as string,
      }),
    );
    if (r.outcome === 'unknown') ctx.say(ctx.t('stars.unknown'));
    // Paid to the wallet instead (the order closed meanwhile): the payment notice says so.
    else if (r.outcome === 'settled' && r.payment.creditedTo === 'order') ctx.say(ctx.t('stars.paid'));
  }

  private async onRefunded(ctx: BotContext, p: PaymentFields): Promise<void> {
    const from = ctx.from;
    if (!from || typeof p.telegram_payment_charge_id !== 'string') return;
    const input = { chargeId: p.telegram_payment_charge_id, fromTelegramId: from.id };
    try {
      const outcome = await this.db.atomic(ctx.botId, () => this.checkout.refunded(ctx.botId, input));
      if (outcome === 'unknown') this.logger.warn({ botId: ctx.botId }, 'refunded_payment for no payment of this bot');
    } catch (e) {
      // Refused (the order is still being fulfilled, the wallet money was spent) and rolled back. Telegram has given
      // the Stars back already, so it is applied again once the order settles, or the shop's owner is told.
      if (!DomainError.is(e)) throw e;
      const next = await this.checkout.refundRefused(ctx.botId, input, e);
      this.logger.warn({ botId: ctx.botId, code: e.code, next }, 'refunded_payment could not be applied now');
    }
  }
}
