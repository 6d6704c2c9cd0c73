import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import type { InlineKeyboardButton } from 'telegraf/types';
import { DomainError, ErrorCode } from '@botfleet/common';
import { TenantDb } from '@botfleet/dal';
import { SalesQueries } from '@botfleet/sales';
import {
  AddCustomerMessageUseCase,
  checkedSubject,
  CloseTicketUseCase,
  OpenTicketUseCase,
  SupportQueries,
  TicketContent,
} from '@botfleet/support';
import type { BotContext } from '../context/bot-context';
import { replyForError } from '../errors/reply-for';
import { storableText } from '../text/sanitize';
import { parseSupportCallback, SupportCallback } from './support-callbacks';
import { SupportDrafts } from './support-drafts';
import {
  askSubjectText,
  cancelKeyboard,
  invalidText,
  offerAddScreen,
  supportHomeScreen,
  ticketListScreen,
  ticketScreen,
} from './support-screens';

const kb = (keyboard: InlineKeyboardButton[][]) => ({ reply_markup: { inline_keyboard: keyboard } });

/**
 * The customer's side of support, in private chats (mounted before the sale, see BotComposition):
 * `/support` and the menu's Support button with tickets on; "Open a ticket" asks the subject, then the
 * message (text, or a photo with its caption); "My tickets" lists them, each with Reply / Close. While a
 * ticket is open, a plain message is not taken silently: the customer is asked whether to add it
 * ("Add to ticket #N"). Commands are never captured: one ends a draft and goes on to its own handler.
 * A photo while a card payment waits for its receipt stays a receipt.
 */
@Injectable()
export class SupportCustomerHandler {
  readonly composer: Routes;

  constructor(
    private readonly db: TenantDb,
    private readonly queries: SupportQueries,
    private readonly sales: SalesQueries,
    private readonly drafts: SupportDrafts,
    private readonly openTicket: OpenTicketUseCase,
    private readonly addMessage: AddCustomerMessageUseCase,
    private readonly closeTicket: CloseTicketUseCase,
  ) {
    const c = new Routes();
    c.command('support', (ctx, next) => (this.enabled(ctx) ? this.showHome(ctx) : next()));
    c.action('menu:support', (ctx, next) => (this.enabled(ctx) ? this.showHome(ctx) : next()));
    c.action(/^tk:/, (ctx) => this.onCallback(ctx));
    c.on('message', (ctx, next) => this.onMessage(ctx, next));
    this.composer = c;
  }

  private enabled(ctx: BotContext): boolean {
    return ctx.profile.features.has('support_tickets');
  }

  private showHome(ctx: BotContext): void {
    ctx.answerCallback();
    ctx.show(supportHomeScreen(ctx.profile, ctx.lang));
  }

  private async onCallback(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parseSupportCallback(q && 'data' in q ? q.data : undefined);
    const user = ctx.user;
    const tgId = ctx.from?.id;
    // The admins' Close button is handled in any chat before this (SupportAdminHandler).
    if (!parsed || !user || tgId === undefined || parsed.kind === 'adminClose' || !this.enabled(ctx)) {
      ctx.answerCallback(ctx.t('common.unavailable'));
      return;
    }
    ctx.answerCallback();
    switch (parsed.kind) {
      case 'open':
        return this.startTicket(ctx, user.id, tgId);
      case 'list':
        return ctx.show(ticketListScreen(ctx.lang, await this.queries.recentTicketsOf(ctx.botId, user.id)));
      case 'cancel':
        this.drafts.clear(ctx.botId, tgId);
        return ctx.show({ text: ctx.t('ticket.cancelled') });
      default:
        return this.onTicketCallback(ctx, user.id, tgId, parsed);
    }
  }

  private async onTicketCallback(
    ctx: BotContext,
    userId: string,
    tgId: number,
    parsed: Extract<SupportCallback, { ticketId: string }>,
  ): Promise<void> {
    const ticket = await this.queries.ticketOfUser(ctx.botId, userId, parsed.ticketId);
    if (!ticket) return ctx.say(ctx.t('common.unavailable'));
    switch (parsed.kind) {
      case 'view': {
        return ctx.show(ticketScreen(ctx.lang, ticket, await this.queries.lastMessages(ctx.botId, ticket.id, 6)));
      }
      case 'reply':
        if (ticket.status === 'closed') return ctx.say(ctx.t('ticket.isClosed'));
        this.drafts.setDraft(ctx.botId, tgId, { step: 'followup', ticketId: ticket.id });
        return ctx.say(ctx.t('ticket.writeFollowUp', { number: ticket.number }), kb(cancelKeyboard(ctx.lang)));
      case 'close':
        try {
          await this.db.atomic(ctx.botId, () =>
            this.closeTicket.execute({ botId: ctx.botId, ticketId: ticket.id, by: { kind: 'customer', userId } }),
          );
          this.drafts.clear(ctx.botId, tgId);
          return ctx.say(ctx.t('ticket.closedByYou', { number: ticket.number }));
        } catch (e) {
          if (DomainError.is(e, ErrorCode.CONFLICT)) return ctx.say(ctx.t('ticket.isClosed'));
          return ctx.say(ctx.t(replyForError(e)));
        }
      case 'add': {
        const pending = await this.drafts.pending(ctx.botId, tgId, parsed.messageId);
        if (!pending) return ctx.say(ctx.t('ticket.offerExpired'));
        this.drafts.clearPending(ctx.botId, tgId, parsed.messageId);
        return this.follow(ctx, userId, ticket.id, pending);
      }
      default:
        return ctx.say(ctx.t('common.unavailable'));
    }
  }

  /** "Open a ticket": with a ticket already open, the customer is told to write to it instead. */
  private async startTicket(ctx: BotContext, userId: string, tgId: number): Promise<void> {
    const open = await this.queries.openTicketOf(ctx.botId, userId);
    if (open) {
      this.drafts.clear(ctx.botId, tgId);
      return ctx.say(ctx.t('ticket.alreadyOpen', { number: open.number }));
    }
    this.drafts.setDraft(ctx.botId, tgId, { step: 'subject' });
    ctx.say(askSubjectText(ctx.lang), kb(cancelKeyboard(ctx.lang)));
  }

  private async onMessage(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    const tgId = ctx.from?.id;
    if (!msg || !ctx.user || tgId === undefined || !this.enabled(ctx)) return next();
    const text = 'text' in msg ? msg.text : undefined;
    if (text?.startsWith('/')) {
      // A command ends whatever was being written and goes to its own handler.
      this.drafts.clear(ctx.botId, tgId);
      return next();
    }
    const draft = await this.drafts.draft(ctx.botId, tgId);
    const content = contentOf(ctx);
    if (draft?.step === 'subject') {
      if (text === undefined) return ctx.say(invalidText(ctx.lang, 'subject'), kb(cancelKeyboard(ctx.lang)));
      let subject: string;
      try {
        subject = checkedSubject(storableText(text));
      } catch {
        return ctx.say(invalidText(ctx.lang, 'subject'), kb(cancelKeyboard(ctx.lang)));
      }
      this.drafts.setDraft(ctx.botId, tgId, { step: 'message', subject });
      return ctx.say(ctx.t('ticket.askMessage'), kb(cancelKeyboard(ctx.lang)));
    }
    if (draft?.step === 'message') {
      if (!content) return ctx.say(invalidText(ctx.lang, 'message'), kb(cancelKeyboard(ctx.lang)));
      return this.open(ctx, ctx.user.id, tgId, draft.subject, content);
    }
    if (draft?.step === 'followup') {
      if (!content) return ctx.say(invalidText(ctx.lang, 'message'), kb(cancelKeyboard(ctx.lang)));
      this.drafts.clear(ctx.botId, tgId);
      return this.follow(ctx, ctx.user.id, draft.ticketId, content);
    }
    // No draft: a message while a ticket is open is offered to it — unless a card payment waits for a receipt.
    if (!content) return next();
    const open = await this.queries.openTicketOf(ctx.botId, ctx.user.id);
    if (!open || (await this.sales.awaitsReceipt(ctx.botId, ctx.user.id))) return next();
    this.drafts.setPending(ctx.botId, tgId, msg.message_id, {
      text: content.text,
      photoFileId: content.photoFileId ?? null,
    });
    const offer = offerAddScreen(ctx.lang, open, msg.message_id);
    ctx.say(offer.text, { ...kb(offer.keyboard!), reply_parameters: { message_id: msg.message_id } });
  }

  private async open(ctx: BotContext, userId: string, tgId: number, subject: string, content: TicketContent) {
    try {
      const { ticket } = await this.db.atomic(ctx.botId, () =>
        this.openTicket.execute({ botId: ctx.botId, userId, subject, content }),
      );
      this.drafts.clear(ctx.botId, tgId);
      ctx.say(ctx.t('ticket.opened', { number: ticket.number }));
    } catch (e) {
      this.tell(ctx, e, tgId);
    }
  }

  private async follow(ctx: BotContext, userId: string, ticketId: string, content: TicketContent) {
    try {
      const { ticket } = await this.db.atomic(ctx.botId, () =>
        this.addMessage.execute({ botId: ctx.botId, userId, ticketId, content }),
      );
      ctx.say(ctx.t('ticket.added', { number: ticket.number }));
    } catch (e) {
      if (DomainError.is(e, ErrorCode.CONFLICT)) return ctx.say(ctx.t('ticket.isClosed'));
      this.tell(ctx, e, ctx.from!.id);
    }
  }

  private tell(ctx: BotContext, e: unknown, tgId: number): void {
    if (DomainError.is(e, ErrorCode.RATE_LIMITED)) return ctx.say(ctx.t('ticket.rateLimited'));
    if (DomainError.is(e, ErrorCode.VALIDATION_FAILED)) return ctx.say(invalidText(ctx.lang, 'message'));
    if (DomainError.is(e, ErrorCode.CONFLICT)) {
      this.drafts.clear(ctx.botId, tgId);
      const number = (e.details as { ticketNumber?: number } | undefined)?.ticketNumber;
      return ctx.say(number ? ctx.t('ticket.alreadyOpen', { number }) : ctx.t('error.conflict'));
    }
    ctx.say(ctx.t(replyForError(e)));
  }
}

/** The message as ticket content: a text, or a photo (largest size) with its caption; null for anything else. */
function contentOf(ctx: BotContext): TicketContent | null {
  const msg = ctx.message;
  if (!msg) return null;
  if ('text' in msg) return { text: storableText(msg.text) };
  if ('photo' in msg && msg.photo.length) {
    const caption = 'caption' in msg && msg.caption ? storableText(msg.caption) : '';
    return { text: caption, photoFileId: msg.photo[msg.photo.length - 1].file_id };
  }
  return null;
}
