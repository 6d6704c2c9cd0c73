import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { type Language, LANGUAGES } from '@botfleet/catalog';
import { Actor, Actors } from '@botfleet/common';
import { CardPaymentEntity, TenantDb } from '@botfleet/dal';
import {
  ApproveReceiptUseCase,
  awaitsReview,
  REJECTION_REASON_MAX,
  RejectReceiptUseCase,
  ReviewPolicy,
  SalesQueries,
  TRACKING_NUMBER_PATTERN,
} from '@botfleet/sales';
import type { BotContext } from '../context/bot-context';
import { replyForError } from '../errors/reply-for';
import { translate } from '../i18n/translate';
import { htmlToText } from '../text/html';
import { storableText } from '../text/sanitize';
import { parseSaleCallback } from './sale-callbacks';
import { answerUnavailable, REVIEW_REPLIES } from './sale-replies';
import { REJECTION_PRESETS, rejectReasonsKeyboard, reviewKeyboard } from './sale-screens';

/**
 * The admins' review of a receipt (PRODUCT.md C8), wherever the review message went (the admin chat,
 * its topic, or the owner's private chat): Approve, Reject with a preset reason, or Reject with a typed
 * reason (a reply to our prompt). Answers are in the bot's language, since the admin chat is shared.
 * The use cases decide who may review and which review wins; the early checks here only spare an
 * admin a keyboard they cannot use.
 */
@Injectable()
export class SaleReviewHandler {
  readonly composer: Routes;

  constructor(
    private readonly db: TenantDb,
    private readonly queries: SalesQueries,
    private readonly reviewPolicy: ReviewPolicy,
    private readonly approveReceipt: ApproveReceiptUseCase,
    private readonly rejectReceipt: RejectReceiptUseCase,
  ) {
    const c = new Routes();
    c.action(/^rv:/, (ctx) => this.onCallback(ctx));
    c.on('text', (ctx, next) => this.onTypedReason(ctx, next));
    this.composer = c;
  }

  private async isReviewer(ctx: BotContext): Promise<boolean> {
    const id = ctx.from?.id;
    return id !== undefined && this.reviewPolicy.isReviewer(ctx.botId, id);
  }

  private reply(lang: Language, err: unknown): string {
    return translate(lang, replyForError(err, REVIEW_REPLIES), { max: REJECTION_REASON_MAX });
  }

  private async onCallback(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parseSaleCallback(q && 'data' in q ? q.data : undefined);
    const lang = ctx.profile.defaultLanguage;
    if (!parsed || !('paymentId' in parsed)) return answerUnavailable(ctx);
    if (!(await this.isReviewer(ctx))) return ctx.answerCallback(translate(lang, 'review.onlyAdmins'), true);
    const payment = await this.queries.cardPayment(ctx.botId, parsed.paymentId);
    if (!payment) return ctx.answerCallback(translate(lang, 'review.notFound'), true);
    const actor = Actors.botAdmin(ctx.from!.id);
    switch (parsed.kind) {
      case 'approve':
        return this.decide(ctx, () => this.approveReceipt.execute({ botId: ctx.botId, paymentId: payment.id, actor }));
      case 'reject':
      case 'reviewBack':
        return this.swapKeyboard(ctx, payment, parsed.kind);
      case 'rejectWith': {
        const key = REJECTION_PRESETS[parsed.preset];
        if (!key) return answerUnavailable(ctx);
        const reason = translate(lang, key);
        return this.decide(ctx, () =>
          this.rejectReceipt.execute({ botId: ctx.botId, paymentId: payment.id, actor, reason }),
        );
      }
      case 'rejectTyped':
        return this.askForReason(ctx, payment);
      default:
        return answerUnavailable(ctx);
    }
  }

  /** Reject → the preset reasons; Back → Approve / Reject again. */
  private swapKeyboard(ctx: BotContext, payment: CardPaymentEntity, kind: 'reject' | 'reviewBack'): void {
    const lang = ctx.profile.defaultLanguage;
    if (!awaitsReview(payment)) return ctx.answerCallback(translate(lang, 'review.already'), true);
    ctx.answerCallback();
    const msg = ctx.callbackQuery?.message;
    if (!msg) return;
    ctx.outbox.add('editMessageReplyMarkup', {
      chat_id: msg.chat.id,
      message_id: msg.message_id,
      reply_markup: {
        inline_keyboard: kind === 'reject' ? rejectReasonsKeyboard(payment.id, lang) : reviewKeyboard(payment.id, lang),
      },
    });
  }

  /** Asks for a typed reason: a forced reply quoting the tracking number, which onTypedReason recognises. */
  private askForReason(ctx: BotContext, payment: CardPaymentEntity): void {
    const lang = ctx.profile.defaultLanguage;
    if (!awaitsReview(payment)) return ctx.answerCallback(translate(lang, 'review.already'), true);
    ctx.answerCallback();
    const msg = ctx.callbackQuery?.message;
    if (!msg) return;
    ctx.outbox.add('sendMessage', {
      chat_id: msg.chat.id,
      text: translate(lang, 'review.typeReason', { tracking: payment.trackingNumber }),
      parse_mode: 'HTML',
      reply_markup: { force_reply: true, selective: true },
      ...('message_thread_id' in msg && msg.message_thread_id ? { message_thread_id: msg.message_thread_id } : {}),
    });
  }

  private async decide(ctx: BotContext, act: () => Promise<unknown>): Promise<void> {
    const lang = ctx.profile.defaultLanguage;
    try {
      await this.db.atomic(ctx.botId, act);
      ctx.answerCallback(translate(lang, 'review.done'));
    } catch (e) {
      // The use case has the last word: the early check may be stale (an admin removed meanwhile).
      ctx.answerCallback(this.reply(lang, e), true);
    }
  }

  /**
   * An admin's reply to our "type the reason" prompt rejects that payment with the reply's text; any other
   * reply (to the review message, to a notice) is conversation and rejects nothing.
   */
  private async onTypedReason(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    if (!msg || !('text' in msg) || !msg.reply_to_message) return next();
    const replied = msg.reply_to_message;
    const repliedText = 'text' in replied ? replied.text : undefined;
    const tracking = repliedText ? TRACKING_NUMBER_PATTERN.exec(repliedText)?.[0] : undefined;
    if (!tracking || !replied.from?.is_bot || replied.from.id !== ctx.botInfo?.id) return next();
    // Our prompt, not any message of ours quoting the tracking number (the review message itself has it).
    if (!isReasonPrompt(repliedText!, tracking)) return next();
    if (!(await this.isReviewer(ctx))) return next();
    const lang = ctx.profile.defaultLanguage;
    const payment = await this.queries.cardPaymentByTracking(ctx.botId, tracking);
    if (!payment) return ctx.say(translate(lang, 'review.notFound'));
    const actor: Actor = Actors.botAdmin(ctx.from!.id);
    try {
      await this.db.atomic(ctx.botId, () =>
        // As a text receipt: Telegram's text may hold what PostgreSQL cannot store (NUL), kept without it.
        this.rejectReceipt.execute({ botId: ctx.botId, paymentId: payment.id, actor, reason: storableText(msg.text) }),
      );
      ctx.say(translate(lang, 'review.done'), { reply_parameters: { message_id: msg.message_id } });
    } catch (e) {
      ctx.say(this.reply(lang, e));
    }
  }
}

/** Whether a message of the bot is its "type the reason" prompt for this payment, in any language. */
function isReasonPrompt(text: string, tracking: string): boolean {
  const shown = text.trim();
  return LANGUAGES.some((lang) => htmlToText(translate(lang, 'review.typeReason', { tracking })).trim() === shown);
}
