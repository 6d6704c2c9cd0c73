import { Injectable, Logger } from '@nestjs/common';
import { BotEntity, BotSelfRepository, SentNotificationRepository, TenantRepositories } from '@botfleet/dal';
import type { TicketEntity, TicketMessageEntity } from '@botfleet/dal';
import { JobName, JobPayloads } from '@botfleet/jobs';
import { SupportQueries, TicketPosts } from '@botfleet/support';
import { translate } from '../i18n/translate';
import { BotSender } from '../messaging/bot-sender';
import { Messenger } from '../messaging/messenger.service';
import { RecipientGoneError } from '../messaging/recipient-gone';
import { credentialsOf } from '../runtime/bot-runtime';
import { adminChatUnreachable } from '../sales/admin-chat-unreachable';
import { TELEGRAM_LIMITS } from '../text/html';
import {
  adminApiReplyText,
  adminCardKeyboard,
  adminCardText,
  adminClosedText,
  adminFollowUpText,
  answerScreen,
} from './support-screens';

type SupportJob = JobPayloads[JobName.SupportNotification];
type Target = { chatId: number; threadId?: number };

/**
 * Turns ticket events into Telegram messages through the bot's own token (worker, notifications queue): the
 * ticket's card and the customer's messages in the admin chat (its admin topic; the owner's private chat when
 * there is none or it refuses the bot), each post remembered so a reply to it routes back (TicketPosts); the
 * admins' answers to the customer, once (`sent_notifications`); the closing on the other side. A retried job
 * skips what is recorded as done; a crash between a post and its record may repeat that post, never a
 * customer's answer twice once it was recorded.
 */
@Injectable()
export class SupportNotifications {
  private readonly logger = new Logger(SupportNotifications.name);

  constructor(
    private readonly botSelf: BotSelfRepository,
    private readonly queries: SupportQueries,
    private readonly posts: TicketPosts,
    private readonly repos: TenantRepositories,
    private readonly messenger: Messenger,
    private readonly sent: SentNotificationRepository,
  ) {}

  async handle(job: SupportJob): Promise<void> {
    const bot = await this.botSelf.get(job.botId);
    if (!bot || bot.status === 'deleted' || bot.status === 'token_invalid') return;
    const ticket = await this.queries.find(bot.id, job.ticketId);
    if (!ticket) return;
    const telegram = this.messenger.as(credentialsOf(bot));
    const message = job.messageId ? await this.queries.message(bot.id, job.messageId) : null;
    switch (job.event) {
      case 'ticket_opened':
        return this.postCard(bot, telegram, ticket, message);
      case 'customer_message':
        return message ? this.postFollowUp(bot, telegram, ticket, message) : undefined;
      case 'admin_reply':
        return message ? this.deliverAnswer(bot, telegram, ticket, message) : undefined;
      case 'ticket_closed':
        return this.announceClosed(bot, telegram, ticket);
      default:
        return;
    }
  }

  private async postCard(
    bot: BotEntity,
    telegram: BotSender,
    ticket: TicketEntity,
    first: TicketMessageEntity | null,
  ): Promise<void> {
    const lang = bot.defaultLanguage;
    let card: Target | null =
      ticket.adminChatId && ticket.adminMessageId ? this.cardTarget(bot, ticket.adminChatId) : null;
    let cardId = ticket.adminMessageId;
    if (!card || !cardId) {
      const text = adminCardText(
        lang,
        bot.currency,
        ticket,
        await this.queries.customerCard(bot.id, ticket.userId),
        first,
      );
      const posted = await this.toAdmins(
        bot,
        telegram,
        async (t) =>
          (
            await telegram.sendMessage(t.chatId, text, {
              parse_mode: 'HTML',
              link_preview_options: { is_disabled: true },
              reply_markup: { inline_keyboard: adminCardKeyboard(lang, ticket) },
              ...(t.threadId ? { message_thread_id: t.threadId } : {}),
            })
          ).message_id,
      );
      await this.posts.recordCard(bot.id, ticket.id, posted.chatId, posted.messageId);
      card = { chatId: posted.chatId, threadId: posted.threadId };
      cardId = posted.messageId;
    }
    if (first?.photoFileId && !first.adminMessageId) {
      const sentPhoto = await telegram.sendPhoto(card.chatId, first.photoFileId, {
        caption: translate(lang, 'ticketAdmin.photo', { number: ticket.number }),
        ...(card.threadId ? { message_thread_id: card.threadId } : {}),
        reply_parameters: { message_id: cardId, allow_sending_without_reply: true },
      });
      await this.posts.recordMessage(bot.id, first.id, card.chatId, sentPhoto.message_id);
    }
  }

  private async postFollowUp(
    bot: BotEntity,
    telegram: BotSender,
    ticket: TicketEntity,
    message: TicketMessageEntity,
  ): Promise<void> {
    if (message.adminMessageId) return;
    const lang = bot.defaultLanguage;
    const user = await this.repos.users.findById(bot.id, ticket.userId);
    const posted = await this.underCard(bot, telegram, ticket, async (t, replyTo) => {
      const extra = {
        parse_mode: 'HTML' as const,
        ...(t.threadId ? { message_thread_id: t.threadId } : {}),
        ...(replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
      };
      const sent = message.photoFileId
        ? await telegram.sendPhoto(t.chatId, message.photoFileId, {
            ...extra,
            caption: adminFollowUpText(lang, ticket, user, message, TELEGRAM_LIMITS.caption),
          })
        : await telegram.sendMessage(t.chatId, adminFollowUpText(lang, ticket, user, message), extra);
      return sent.message_id;
    });
    await this.posts.recordMessage(bot.id, message.id, posted.chatId, posted.messageId);
  }

  private async deliverAnswer(
    bot: BotEntity,
    telegram: BotSender,
    ticket: TicketEntity,
    message: TicketMessageEntity,
  ): Promise<void> {
    const user = await this.repos.users.findById(bot.id, ticket.userId);
    const once = `ticket-answer:${message.id}`;
    if (user && !user.botBlockedAt && !(await this.sent.wasSent(bot.id, once))) {
      const lang = user.language ?? bot.defaultLanguage;
      try {
        if (message.photoFileId) {
          const screen = answerScreen(lang, ticket, message, TELEGRAM_LIMITS.caption);
          await telegram.sendPhoto(user.telegramId, message.photoFileId, {
            caption: screen.text,
            parse_mode: 'HTML',
            reply_markup: { inline_keyboard: screen.keyboard! },
          });
        } else {
          const screen = answerScreen(lang, ticket, message);
          await telegram.sendMessage(user.telegramId, screen.text, {
            parse_mode: 'HTML',
            link_preview_options: { is_disabled: true },
            reply_markup: { inline_keyboard: screen.keyboard! },
          });
        }
        await this.sent.recordOnce(bot.id, {
          userId: user.id,
          subscriptionId: null,
          kind: 'ticket_answer',
          dedupeKey: once,
        });
      } catch (err) {
        // The messenger marked a customer who blocked the bot; there is nobody to tell.
        if (!(err instanceof RecipientGoneError)) throw err;
      }
    }
    // An answer given over the API is shown to the admins too, under the card (an admin's reply is there already).
    if (!message.adminMessageId && message.author && !message.author.startsWith('bot_admin:')) {
      const text = adminApiReplyText(bot.defaultLanguage, ticket, message);
      const posted = await this.underCard(
        bot,
        telegram,
        ticket,
        async (t, replyTo) =>
          (
            await telegram.sendMessage(t.chatId, text, {
              parse_mode: 'HTML',
              ...(t.threadId ? { message_thread_id: t.threadId } : {}),
              ...(replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
            })
          ).message_id,
      );
      await this.posts.recordMessage(bot.id, message.id, posted.chatId, posted.messageId);
    }
  }

  private async announceClosed(bot: BotEntity, telegram: BotSender, ticket: TicketEntity): Promise<void> {
    if (ticket.status !== 'closed') return;
    const byCustomer = (ticket.closedBy ?? '').startsWith('user:');
    if (!byCustomer) {
      const user = await this.repos.users.findById(bot.id, ticket.userId);
      const once = `ticket-closed:${ticket.id}`;
      if (user && !user.botBlockedAt && !(await this.sent.wasSent(bot.id, once))) {
        try {
          await telegram.sendMessage(
            user.telegramId,
            translate(user.language ?? bot.defaultLanguage, 'ticket.closedNotice', { number: ticket.number }),
            { parse_mode: 'HTML' },
          );
          await this.sent.recordOnce(bot.id, {
            userId: user.id,
            subscriptionId: null,
            kind: 'ticket_closed',
            dedupeKey: once,
          });
        } catch (err) {
          if (!(err instanceof RecipientGoneError)) throw err;
        }
      }
    }
    if (!ticket.adminChatId || !ticket.adminMessageId) return;
    try {
      await telegram.editMessageReplyMarkup(ticket.adminChatId, ticket.adminMessageId, undefined, undefined);
    } catch (err) {
      this.logger.warn({ botId: bot.id, err }, 'could not take the buttons off a ticket card');
    }
    try {
      await telegram.sendMessage(ticket.adminChatId, adminClosedText(bot.defaultLanguage, ticket), {
        parse_mode: 'HTML',
        reply_parameters: { message_id: ticket.adminMessageId, allow_sending_without_reply: true },
      });
    } catch (err) {
      // The customer knows; retries into a chat that refuses the bot would only repeat it.
      if (!adminChatUnreachable(err)) throw err;
      this.logger.warn({ botId: bot.id }, 'the admin chat is unreachable: the closing note is not posted');
    }
  }

  /** Posts under the ticket's card (where it is, in its topic), or as a fresh post where cards go. */
  private async underCard(
    bot: BotEntity,
    telegram: BotSender,
    ticket: TicketEntity,
    post: (t: Target, replyTo?: number) => Promise<number>,
  ): Promise<{ chatId: number; messageId: number }> {
    if (ticket.adminChatId && ticket.adminMessageId) {
      const target = this.cardTarget(bot, ticket.adminChatId);
      try {
        return { chatId: target.chatId, messageId: await post(target, ticket.adminMessageId) };
      } catch (err) {
        if (!adminChatUnreachable(err) || ticket.adminChatId === bot.ownerTelegramId) throw err;
      }
    }
    return this.toAdmins(bot, telegram, (t) => post(t));
  }

  private cardTarget(bot: BotEntity, chatId: number): Target {
    return chatId === bot.adminChatId && bot.adminTopicId ? { chatId, threadId: bot.adminTopicId } : { chatId };
  }

  /** Where tickets go: the admin chat (its admin topic), else the owner; an admin chat that refuses → the owner. */
  private async toAdmins(
    bot: BotEntity,
    telegram: BotSender,
    post: (t: Target) => Promise<number>,
  ): Promise<{ chatId: number; threadId?: number; messageId: number }> {
    if (bot.adminChatId) {
      const target: Target = { chatId: bot.adminChatId, threadId: bot.adminTopicId ?? undefined };
      try {
        return { ...target, messageId: await post(target) };
      } catch (err) {
        const reason = adminChatUnreachable(err);
        if (!reason) throw err;
        this.logger.warn({ botId: bot.id, reason }, 'the admin chat is unreachable: the ticket goes to the owner');
      }
    }
    const owner = { chatId: bot.ownerTelegramId };
    return { ...owner, messageId: await post(owner) };
  }
}
