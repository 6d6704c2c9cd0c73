import { Injectable, Logger } from '@nestjs/common';
import {
  BotEntity,
  BotSelfRepository,
  SentNotificationRecord,
  SentNotificationRepository,
  TenantRepositories,
} from '@botfleet/dal';
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
 * admins' answers to the customer; the closing on the other side. Every message is claimed in
 * `sent_notifications` before it is sent (the unique key lets one attempt through however many race: a replayed
 * event, a stalled job run twice) and the claim is given back when the send fails, so a retry sends it; a crash
 * between the claim and the send loses that one message rather than repeating it.
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
      // Another attempt holds the card (and posts the photo under it).
      if (!(await this.claim(bot.id, ticket, `ticket-card:${ticket.id}`, 'ticket_card'))) return;
      const text = adminCardText(
        lang,
        bot.currency,
        ticket,
        await this.queries.customerCard(bot.id, ticket.userId),
        first,
      );
      const posted = await this.orRelease(bot.id, `ticket-card:${ticket.id}`, () =>
        this.toAdmins(
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
        ),
      );
      await this.posts.recordCard(bot.id, ticket.id, posted.chatId, posted.messageId);
      card = { chatId: posted.chatId, threadId: posted.threadId };
      cardId = posted.messageId;
    }
    const photoKey = first ? `ticket-post:${first.id}` : '';
    if (first?.photoFileId && !first.adminMessageId && (await this.claim(bot.id, ticket, photoKey, 'ticket_post'))) {
      const target = card;
      const replyTo = cardId;
      const sentPhoto = await this.orRelease(bot.id, photoKey, () =>
        telegram.sendPhoto(target.chatId, first.photoFileId!, {
          caption: translate(lang, 'ticketAdmin.photo', { number: ticket.number }),
          ...(target.threadId ? { message_thread_id: target.threadId } : {}),
          reply_parameters: { message_id: replyTo, allow_sending_without_reply: true },
        }),
      );
      await this.posts.recordMessage(bot.id, first.id, card.chatId, sentPhoto.message_id);
    }
  }

  private async postFollowUp(
    bot: BotEntity,
    telegram: BotSender,
    ticket: TicketEntity,
    message: TicketMessageEntity,
  ): Promise<void> {
    const key = `ticket-post:${message.id}`;
    if (message.adminMessageId || !(await this.claim(bot.id, ticket, key, 'ticket_post'))) return;
    const lang = bot.defaultLanguage;
    const user = await this.repos.users.findById(bot.id, ticket.userId);
    const posted = await this.orRelease(bot.id, key, () =>
      this.underCard(bot, telegram, ticket, async (t, replyTo) => {
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
      }),
    );
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
    if (user && !user.botBlockedAt && (await this.claim(bot.id, ticket, once, 'ticket_answer'))) {
      const lang = user.language ?? bot.defaultLanguage;
      await this.orRelease(bot.id, once, async () => {
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
        } catch (err) {
          // The messenger marked a customer who blocked the bot; there is nobody to tell (the claim stays).
          if (!(err instanceof RecipientGoneError)) throw err;
        }
      });
    }
    // An answer given over the API is shown to the admins too, under the card (an admin's reply is there already).
    const echo = `ticket-post:${message.id}`;
    if (
      !message.adminMessageId &&
      message.author &&
      !message.author.startsWith('bot_admin:') &&
      (await this.claim(bot.id, ticket, echo, 'ticket_post'))
    ) {
      const text = adminApiReplyText(bot.defaultLanguage, ticket, message);
      const posted = await this.orRelease(bot.id, echo, () =>
        this.underCard(
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
        ),
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
      if (user && !user.botBlockedAt && (await this.claim(bot.id, ticket, once, 'ticket_closed'))) {
        const text = translate(user.language ?? bot.defaultLanguage, 'ticket.closedNotice', { number: ticket.number });
        await this.orRelease(bot.id, once, async () => {
          try {
            await telegram.sendMessage(user.telegramId, text, { parse_mode: 'HTML' });
          } catch (err) {
            if (!(err instanceof RecipientGoneError)) throw err;
          }
        });
      }
    }
    if (!ticket.adminChatId || !ticket.adminMessageId) return;
    try {
      await telegram.editMessageReplyMarkup(ticket.adminChatId, ticket.adminMessageId, undefined, undefined);
    } catch (err) {
      this.logger.warn({ botId: bot.id, err }, 'could not take the buttons off a ticket card');
    }
    const note = `ticket-closed-admins:${ticket.id}`;
    if (!(await this.claim(bot.id, ticket, note, 'ticket_closed'))) return;
    const [chatId, cardId] = [ticket.adminChatId, ticket.adminMessageId];
    await this.orRelease(bot.id, note, async () => {
      try {
        await telegram.sendMessage(chatId, adminClosedText(bot.defaultLanguage, ticket), {
          parse_mode: 'HTML',
          reply_parameters: { message_id: cardId, allow_sending_without_reply: true },
        });
      } catch (err) {
        // The customer knows; retries into a chat that refuses the bot would only repeat it (the claim stays).
        if (!adminChatUnreachable(err)) throw err;
        this.logger.warn({ botId: bot.id }, 'the admin chat is unreachable: the closing note is not posted');
      }
    });
  }

  /** Claims one message about the ticket: true for exactly one attempt however many race (the unique key). */
  private claim(botId: string, ticket: TicketEntity, dedupeKey: string, kind: string): Promise<boolean> {
    const record: SentNotificationRecord = { userId: ticket.userId, subscriptionId: null, kind, dedupeKey };
    return this.sent.claim(botId, record);
  }

  /** Sends a claimed message; a failed send gives the claim back, so the job's retry sends it. */
  private async orRelease<T>(botId: string, dedupeKey: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      await this.sent.release(botId, dedupeKey);
      throw err;
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
