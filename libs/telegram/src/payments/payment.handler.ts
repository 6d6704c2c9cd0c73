import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { DomainError } from '@botfleet/common';
import { TenantDb } from '@botfleet/dal';
import { StartGatewayPaymentUseCase } from '@botfleet/payments';
import { canSell } from '@botfleet/sales';
import type { BotContext } from '../context/bot-context';
import { replyFor } from '../errors/reply-for';
import { translate } from '../i18n/translate';
import { alertText, answerUnavailable } from '../sales/sale-replies';
import { parsePaymentCallback } from './payment-callbacks';
import { paymentLinkScreen } from './payment-screens';
import { invoiceToSend, queueStarsInvoice } from './stars-invoice';

/**
 * The payment screen's gateway buttons (`pg:`): starts the payment through StartGatewayPaymentUseCase for the
 * buyer's own pending order (another user's order, an unknown gateway or one switched off: "not available") and
 * shows the gateway's page as a URL button. Gateways that answer with an invoice to send (Telegram Stars) are
 * handled by their own handler; this one only opens URLs.
 *
 * The payment is opened inside the update's transaction (a savepoint: a refusal leaves nothing written); a gateway
 * reached over the network is asked only after the update commits, by a job that then shows the link
 * (StartGatewayPaymentUseCase.request): a slow gateway holds no connection and no lock of the update.
 */
@Injectable()
export class PaymentHandler {
  readonly composer: Routes;

  constructor(
    private readonly db: TenantDb,
    private readonly startPayment: StartGatewayPaymentUseCase,
  ) {
    const c = new Routes();
    c.action(/^pg:/, (ctx) => this.onCallback(ctx));
    this.composer = c;
  }

  private async onCallback(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parsePaymentCallback(q && 'data' in q ? q.data : undefined);
    if (!parsed || !ctx.user || !canSell(ctx.profile.features)) return answerUnavailable(ctx);
    const userId = ctx.user.id;
    try {
      const started = await this.db.atomic(ctx.botId, () =>
        this.startPayment.request(
          {
            botId: ctx.botId,
            gateway: parsed.method,
            language: ctx.lang,
            purpose: 'order',
            orderId: parsed.orderId,
            by: { userId },
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
        // An invoice to send in the chat (Telegram Stars): the Stars handler takes it from there.
        const invoice = invoiceToSend(started.action.invoice);
        if (!invoice || !queueStarsInvoice(ctx, invoice)) return answerUnavailable(ctx);
        ctx.answerCallback();
        return;
      }
      ctx.answerCallback();
      ctx.show(paymentLinkScreen(started.payment, started.action.url, ctx.lang));
    } catch (e) {
      if (!DomainError.is(e)) throw e;
      const text = translate(ctx.lang, replyFor(e.code));
      ctx.answerCallback(alertText(text), true);
    }
  }
}
