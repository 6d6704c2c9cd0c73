import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { AdminAccessService } from '@botfleet/bots';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import { TenantDb } from '@botfleet/dal';
import { CloseTicketUseCase, ReplyToTicketUseCase, SupportQueries, TICKET_MESSAGE_MAX } from '@botfleet/support';
import type { BotContext } from '../context/bot-context';
import { replyForError } from '../errors/reply-for';
import { translate } from '../i18n/translate';
import { storableText } from '../text/sanitize';
import { parseSupportCallback } from './support-callbacks';

/**
 * The admins' side of support, in any chat (the admin chat, its topic, or the owner's private chat when the
 * bot has no admin chat): a Telegram reply to a message of a ticket there (its card, a customer's message, an
 * earlier answer) answers that ticket — found by the replied message's id inside this bot only — and the
 * ticket's Close button. Only admins whose role handles tickets act; anyone else's reply is conversation and
 * passes on. Answers are in the bot's language (the admin chat is shared).
 */
@Injectable()
export class SupportAdminHandler {
  readonly composer: Routes;

  constructor(
    private readonly db: TenantDb,
    private readonly queries: SupportQueries,
    private readonly access: AdminAccessService,
    private readonly reply: ReplyToTicketUseCase,
    private readonly close: CloseTicketUseCase,
  ) {
    const c = new Routes();
    c.action(/^tk:k:/, (ctx) => this.onClose(ctx));
    c.on('message', (ctx, next) => this.onReply(ctx, next));
    this.composer = c;
  }

  private async onClose(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parseSupportCallback(q && 'data' in q ? q.data : undefined);
    const lang = ctx.profile.defaultLanguage;
    const from = ctx.from?.id;
    if (!parsed || parsed.kind !== 'adminClose' || from === undefined) {
      return ctx.answerCallback(translate(lang, 'common.unavailable'));
    }
    if (!(await this.access.may(ctx.botId, from, 'tickets'))) {
      return ctx.answerCallback(translate(lang, 'ticketAdmin.onlyAdmins'), true);
    }
    try {
      await this.db.atomic(ctx.botId, () =>
        this.close.execute({
          botId: ctx.botId,
          ticketId: parsed.ticketId,
          by: { kind: 'admin', actor: Actors.botAdmin(from) },
        }),
      );
      ctx.answerCallback(translate(lang, 'ticketAdmin.done'));
    } catch (e) {
      if (DomainError.is(e, ErrorCode.CONFLICT)) return ctx.answerCallback(translate(lang, 'ticket.isClosed'), true);
      if (DomainError.is(e, ErrorCode.FORBIDDEN)) {
        return ctx.answerCallback(translate(lang, 'ticketAdmin.onlyAdmins'), true);
      }
      ctx.answerCallback(translate(lang, replyForError(e)), true);
    }
  }

  private async onReply(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    const chatId = ctx.chat?.id;
    const from = ctx.from?.id;
    const replied = msg && 'reply_to_message' in msg ? msg.reply_to_message : undefined;
    if (!msg || !replied || chatId === undefined || from === undefined) return next();
    if (!replied.from?.is_bot || replied.from.id !== ctx.botInfo?.id) return next();
    const text = 'text' in msg ? msg.text : undefined;
    if (text?.startsWith('/')) return next();
    const ticket = await this.queries.ticketByAdminPost(ctx.botId, chatId, replied.message_id);
    if (!ticket) return next();
    if (!(await this.access.may(ctx.botId, from, 'tickets'))) return next();
    const lang = ctx.profile.defaultLanguage;
    const photo = 'photo' in msg && msg.photo.length ? msg.photo[msg.photo.length - 1].file_id : null;
    const caption = 'caption' in msg && msg.caption ? msg.caption : '';
    const thread =
      'message_thread_id' in msg && msg.message_thread_id ? { message_thread_id: msg.message_thread_id } : {};
    const answer = (key: Parameters<typeof translate>[1], vars = {}) =>
      ctx.say(translate(lang, key, { number: ticket.number, ...vars }), {
        ...thread,
        reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true },
      });
    if (text === undefined && !photo) return answer('ticketAdmin.invalid', { max: TICKET_MESSAGE_MAX });
    try {
      await this.db.atomic(ctx.botId, () =>
        this.reply.execute({
          botId: ctx.botId,
          ticketId: ticket.id,
          actor: Actors.botAdmin(from),
          content: { text: storableText(text ?? caption), photoFileId: photo },
          adminPost: { chatId, messageId: msg.message_id },
        }),
      );
      answer('ticketAdmin.sent');
    } catch (e) {
      if (DomainError.is(e, ErrorCode.CONFLICT)) return answer('ticketAdmin.closed');
      if (DomainError.is(e, ErrorCode.VALIDATION_FAILED))
        return answer('ticketAdmin.invalid', { max: TICKET_MESSAGE_MAX });
      if (DomainError.is(e, ErrorCode.FORBIDDEN)) return answer('ticketAdmin.onlyAdmins');
      answer(replyForError(e));
    }
  }
}
