import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@botfleet/config';
import {
  BotEntity,
  BotSelfRepository,
  NotificationLease,
  SentNotificationRecord,
  SentNotificationRepository,
  TenantDb,
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
 * event, a stalled job run twice) and marked done with its record once Telegram took it; a failed send or
 * record gives the claim back, so the job's retry sends it. An attempt that finds another's claim unfinished
 * fails, to be retried: once that claim is older than SUPPORT_NOTICE_CLAIM_STALE_MS (its worker died between
 * the claim and the send) the retry takes it over and sends. A crash after the send and before it is marked
 * done repeats that one message rather than losing it.
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
    private readonly db: TenantDb,
    private readonly config: AppConfig,
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
      const lease = await this.claim(bot.id, ticket, `ticket-card:${ticket.id}`, 'ticket_card');
      if (lease) {
        const text = adminCardText(
          lang,
          bot.currency,
          ticket,
          await this.queries.customerCard(bot.id, ticket.userId),
          first,
        );
        const posted = await this.sendOnce(
          bot.id,
          lease,
          () =>
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
          (p) => this.posts.recordCard(bot.id, ticket.id, p.chatId, p.messageId),
        );
        card = { chatId: posted.chatId, threadId: posted.threadId };
        cardId = posted.messageId;
      } else {
        // Another attempt posted the card since this one read the ticket (done with its record): the photo goes under it.
        const now = await this.queries.find(bot.id, ticket.id);
        if (!now?.adminChatId || !now.adminMessageId) return;
        card = this.cardTarget(bot, now.adminChatId);
        cardId = now.adminMessageId;
      }
    }
    if (!first?.photoFileId || first.adminMessageId) return;
    const photo = await this.claim(bot.id, ticket, `ticket-post:${first.id}`, 'ticket_post');
    if (!photo) return;
    const [target, replyTo] = [card, cardId];
    await this.sendOnce(
      bot.id,
      photo,
      () =>
        telegram.sendPhoto(target.chatId, first.photoFileId!, {
          caption: translate(lang, 'ticketAdmin.photo', { number: ticket.number }),
          ...(target.threadId ? { message_thread_id: target.threadId } : {}),
          reply_parameters: { message_id: replyTo, allow_sending_without_reply: true },
        }),
      (sent) => this.posts.recordMessage(bot.id, first.id, target.chatId, sent.message_id),
    );
  }

  private async postFollowUp(
    bot: BotEntity,
    telegram: BotSender,
    ticket: TicketEntity,
    message: TicketMessageEntity,
  ): Promise<void> {
    if (message.adminMessageId) return;
    const lease = await this.claim(bot.id, ticket, `ticket-post:${message.id}`, 'ticket_post');
    if (!lease) return;
    const lang = bot.defaultLanguage;
    const user = await this.repos.users.findById(bot.id, ticket.userId);
    await this.sendOnce(
      bot.id,
      lease,
      () =>
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
      (posted) => this.posts.recordMessage(bot.id, message.id, posted.chatId, posted.messageId),
    );
  }

  /** Whether `message` is the first of a ticket the shop opened (its notice is the opening, not an answer). */
  private async opensShopTicket(botId: string, ticket: TicketEntity, message: TicketMessageEntity): Promise<boolean> {
    if (ticket.openedBy !== 'shop') return false;
    const [first] = await this.repos.ticketMessages.find(botId, {
      where: { ticketId: ticket.id },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: 1,
    });
    return first?.id === message.id;
  }

  private async deliverAnswer(
    bot: BotEntity,
    telegram: BotSender,
    ticket: TicketEntity,
    message: TicketMessageEntity,
  ): Promise<void> {
    const user = await this.repos.users.findById(bot.id, ticket.userId);
    const answer =
      user && !user.botBlockedAt
        ? await this.claim(bot.id, ticket, `ticket-answer:${message.id}`, 'ticket_answer')
        : null;
    if (user && answer) {
      const lang = user.language ?? bot.defaultLanguage;
      const opening = await this.opensShopTicket(bot.id, ticket, message);
      await this.sendOnce(bot.id, answer, async () => {
        try {
          if (message.photoFileId) {
            const screen = answerScreen(lang, ticket, message, TELEGRAM_LIMITS.caption, opening);
            await telegram.sendPhoto(user.telegramId, message.photoFileId, {
              caption: screen.text,
              parse_mode: 'HTML',
              reply_markup: { inline_keyboard: screen.keyboard! },
            });
          } else {
            const screen = answerScreen(lang, ticket, message, TELEGRAM_LIMITS.messageText, opening);
            await telegram.sendMessage(user.telegramId, screen.text, {
              parse_mode: 'HTML',
              link_preview_options: { is_disabled: true },
              reply_markup: { inline_keyboard: screen.keyboard! },
            });
          }
        } catch (err) {
          // The messenger marked a customer who blocked the bot; there is nobody to tell (the claim is done).
          if (!(err instanceof RecipientGoneError)) throw err;
        }
      });
    }
    // An answer given over the API is shown to the admins too, under the card (an admin's reply is there already).
    if (message.adminMessageId || !message.author || message.author.startsWith('bot_admin:')) return;
    const echo = await this.claim(bot.id, ticket, `ticket-post:${message.id}`, 'ticket_post');
    if (!echo) return;
    const text = adminApiReplyText(bot.defaultLanguage, ticket, message);
    await this.sendOnce(
      bot.id,
      echo,
      () =>
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
      (posted) => this.posts.recordMessage(bot.id, message.id, posted.chatId, posted.messageId),
    );
  }

  private async announceClosed(bot: BotEntity, telegram: BotSender, ticket: TicketEntity): Promise<void> {
    if (ticket.status !== 'closed') return;
    const byCustomer = (ticket.closedBy ?? '').startsWith('user:');
    if (!byCustomer) {
      const user = await this.repos.users.findById(bot.id, ticket.userId);
      const once =
        user && !user.botBlockedAt
          ? await this.claim(bot.id, ticket, `ticket-closed:${ticket.id}`, 'ticket_closed')
          : null;
      if (user && once) {
        const text = translate(user.language ?? bot.defaultLanguage, 'ticket.closedNotice', { number: ticket.number });
        await this.sendOnce(bot.id, once, async () => {
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
    const note = await this.claim(bot.id, ticket, `ticket-closed-admins:${ticket.id}`, 'ticket_closed');
    if (!note) return;
    const [chatId, cardId] = [ticket.adminChatId, ticket.adminMessageId];
    await this.sendOnce(bot.id, note, async () => {
      try {
        await telegram.sendMessage(chatId, adminClosedText(bot.defaultLanguage, ticket), {
          parse_mode: 'HTML',
          reply_parameters: { message_id: cardId, allow_sending_without_reply: true },
        });
      } catch (err) {
        // The customer knows; retries into a chat that refuses the bot would only repeat it (the claim is done).
        if (!adminChatUnreachable(err)) throw err;
        this.logger.warn({ botId: bot.id }, 'the admin chat is unreachable: the closing note is not posted');
      }
    });
  }

  /**
   * Claims one message about the ticket: the lease for exactly one attempt however many race (the unique key),
   * null once it went out. Another attempt's unfinished claim fails this attempt, so the job tries again later
   * and takes the claim over once it is stale (that attempt died) — returning here would lose the message.
   */
  private async claim(
    botId: string,
    ticket: TicketEntity,
    dedupeKey: string,
    kind: string,
  ): Promise<NotificationLease | null> {
    const record: SentNotificationRecord = { userId: ticket.userId, subscriptionId: null, kind, dedupeKey };
    const outcome = await this.sent.claimLease(botId, record, this.config.SUPPORT_NOTICE_CLAIM_STALE_MS);
    if (outcome === 'done') return null;
    if (outcome === 'busy') throw new Error(`${kind} of ticket ${ticket.id} is being sent by another attempt`);
    return outcome.lease;
  }

  /**
   * Sends a claimed message, then records it (where admins' replies to it route) and marks the claim done in one
   * transaction. A failed send or record gives the claim back, so the job's retry sends it again.
   */
  private async sendOnce<T>(
    botId: string,
    lease: NotificationLease,
    send: () => Promise<T>,
    record?: (sent: T) => Promise<void>,
  ): Promise<T> {
    try {
      const sent = await send();
      const marked = await this.db.run(botId, async () => {
        if (record) await record(sent);
        return this.sent.markDone(botId, lease);
      });
      if (!marked) this.logger.warn({ botId, key: lease.dedupeKey }, 'a stale claim was taken over while it was sent');
      return sent;
    } catch (err) {
      await this.sent.releaseLease(botId, lease);
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
