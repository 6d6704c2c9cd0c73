import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { TenantDb } from '@botfleet/dal';
import { Receipt, SalesQueries, SubmitReceiptUseCase, TRACKING_NUMBER_PATTERN } from '@botfleet/sales';
import type { BotContext } from '../context/bot-context';
import { replyForError } from '../errors/reply-for';
import { RECEIPT_REPLIES } from './sale-replies';
import { storableText } from '../text/sanitize';

/**
 * The user's receipt for a card payment, in a private chat: a photo (or, where the tenant allows it,
 * a text). A reply to a card screen is for that payment; otherwise for the user's one payment waiting for a
 * receipt (with several, the user is asked to reply to the right card screen). Messages while no payment
 * waits for a receipt pass on to the rest of the conversation.
 */
@Injectable()
export class SaleReceiptHandler {
  readonly composer: Routes;

  constructor(
    private readonly db: TenantDb,
    private readonly queries: SalesQueries,
    private readonly submitReceipt: SubmitReceiptUseCase,
  ) {
    const c = new Routes();
    c.on('photo', (ctx, next) => this.onPhoto(ctx, next));
    c.on('text', (ctx, next) => this.onText(ctx, next));
    this.composer = c;
  }

  private async onPhoto(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    if (!ctx.user || !msg || !('photo' in msg) || !msg.photo.length) return next();
    if (!(await this.queries.awaitsReceipt(ctx.botId, ctx.user.id))) {
      ctx.say(ctx.t('receipt.none'));
      return;
    }
    const largest = msg.photo[msg.photo.length - 1];
    await this.submit(ctx, { kind: 'photo', fileId: largest.file_id, fileUniqueId: largest.file_unique_id });
  }

  private async onText(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    if (!ctx.user || !msg || !('text' in msg) || msg.text.startsWith('/')) return next();
    if (!(await this.queries.awaitsReceipt(ctx.botId, ctx.user.id))) return next();
    if (await this.queries.receiptRequiresPhoto(ctx.botId)) {
      ctx.say(ctx.t('receipt.needPhoto'));
      return;
    }
    // Telegram's text may hold what PostgreSQL cannot store (NUL, a lone surrogate): kept without it.
    await this.submit(ctx, { kind: 'text', text: storableText(msg.text) });
  }

  private async submit(ctx: BotContext, receipt: Receipt): Promise<void> {
    const trackingNumber = answeredTracking(ctx);
    try {
      const payment = await this.db.atomic(ctx.botId, () =>
        this.submitReceipt.execute({ botId: ctx.botId, userId: ctx.user!.id, receipt, trackingNumber }),
      );
      ctx.say(ctx.t('receipt.received', { tracking: payment.trackingNumber }));
    } catch (e) {
      ctx.say(ctx.t(replyForError(e, RECEIPT_REPLIES)));
    }
  }
}

/** The tracking number of our card screen the message answers (a reply to it), if it is one. */
function answeredTracking(ctx: BotContext): string | undefined {
  const msg = ctx.message;
  const replied = msg && 'reply_to_message' in msg ? msg.reply_to_message : undefined;
  if (!replied || replied.from?.id !== ctx.botInfo?.id) return undefined;
  const text = 'text' in replied ? replied.text : undefined;
  return text ? TRACKING_NUMBER_PATTERN.exec(text)?.[0] : undefined;
}
