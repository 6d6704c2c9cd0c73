import { Injectable, Logger } from '@nestjs/common';
import type { Language } from '@botfleet/catalog';
import { BotEntity, BotSelfRepository, CardPaymentEntity, SentNotificationRepository } from '@botfleet/dal';
import { JobName, JobPayloads } from '@botfleet/jobs';
import { CardPaymentService, REVIEW_REMINDERS, SalesQueries } from '@botfleet/sales';
import type { Screen } from '../context/bot-context';
import { translate } from '../i18n/translate';
import { BotSender } from '../messaging/bot-sender';
import { Messenger } from '../messaging/messenger.service';
import { RecipientGoneError } from '../messaging/recipient-gone';
import { credentialsOf } from '../runtime/bot-runtime';
import { TELEGRAM_LIMITS } from '../text/html';
import { adminChatUnreachable } from './admin-chat-unreachable';
import {
  noticeUndeliveredText,
  rejectedByText,
  rejectionNoticeText,
  reviewerLabel,
  reviewMessageText,
} from './review-message';
import { TopUpNotices } from '../wallet/top-up-notices';
import { formatMoney } from './sale-format';
import { ownerStatusNoticeText } from '../master/master-screens';
import { reviewKeyboard } from './sale-screens';

type SaleJob = JobPayloads[JobName.SaleNotification];
type OwnerJob = JobPayloads[JobName.NotifyOwner];

/** The once-key of a user's news: the event, the payment or order, and the decision's time (a second rejection is news). */
function noticeKey(job: SaleJob, id: string, decidedAt?: Date | null): string {
  return `notice:${job.event}:${id}:${decidedAt?.getTime() ?? 0}`;
}

/**
 * Turns sale events (from REST or from buttons alike) into Telegram messages, through the bot's
 * own token: the review message in the tenant's receipt topic / admin chat (or the owner's private
 * chat when none is set), the user's news, and the review message closed with who decided.
 * Runs in the worker's notifications queue; every job id is deterministic, so a retry after a
 * crash may repeat a message but a replayed event never makes a second decision.
 */
@Injectable()
export class SaleNotifications {
  private readonly logger = new Logger(SaleNotifications.name);

  constructor(
    private readonly botSelf: BotSelfRepository,
    private readonly queries: SalesQueries,
    private readonly cards: CardPaymentService,
    private readonly messenger: Messenger,
    private readonly sent: SentNotificationRepository,
    private readonly topUps: TopUpNotices,
  ) {}

  private telegramFor(bot: BotEntity): BotSender {
    return this.messenger.as(credentialsOf(bot));
  }

  /** Where reviews go: the admin chat (its receipt topic, else its admin topic), else the owner. */
  private reviewTarget(bot: BotEntity): { chatId: number; threadId?: number } {
    if (bot.adminChatId) {
      const thread = bot.cardReceiptTopicId ?? bot.adminTopicId ?? undefined;
      return { chatId: bot.adminChatId, threadId: thread ?? undefined };
    }
    return { chatId: bot.ownerTelegramId };
  }

  async handle(job: SaleJob): Promise<void> {
    const bot = await this.botSelf.get(job.botId);
    if (!bot || bot.status === 'deleted' || bot.status === 'token_invalid') return;
    const telegram = this.telegramFor(bot);
    if (job.paymentId) {
      const payment = await this.queries.cardPayment(job.botId, job.paymentId);
      if (!payment) return;
      switch (job.event) {
        case 'receipt_submitted':
          return this.sendReview(bot, telegram, payment);
        case 'receipt_approved':
          if (payment.purpose === 'topup') {
            // A wallet top-up: the balance, and the question whether to pay the order it was for (wallet/).
            await this.toUser(bot, telegram, payment.userId, noticeKey(job, payment.id, payment.reviewedAt), (lang) =>
              this.topUps.credited(bot.id, payment, bot.currency, lang),
            );
          } else {
            await this.toUser(bot, telegram, payment.userId, noticeKey(job, payment.id, payment.reviewedAt), (lang) =>
              translate(lang, 'receipt.approved', { tracking: payment.trackingNumber }),
            );
          }
          return this.closeReview(
            bot,
            telegram,
            payment,
            translate(bot.defaultLanguage, 'review.approvedBy', { by: reviewerLabel(payment.reviewedBy) }),
          );
        case 'receipt_rejected':
          await this.toUser(bot, telegram, payment.userId, noticeKey(job, payment.id, payment.reviewedAt), (lang) =>
            rejectionNoticeText(lang, payment),
          );
          return this.closeReview(bot, telegram, payment, rejectedByText(bot.defaultLanguage, payment));
        case 'payment_expired':
          await this.toUser(bot, telegram, payment.userId, noticeKey(job, payment.id), (lang) =>
            payment.purpose === 'topup'
              ? this.topUps.expired(payment, lang)
              : translate(lang, 'receipt.expired', { tracking: payment.trackingNumber }),
          );
          return this.closeReview(bot, telegram, payment, translate(bot.defaultLanguage, 'review.expired'));
        case 'review_reminder':
          return this.remindReview(bot, telegram, payment, job.reminder ?? 1);
        default:
          return;
      }
    }
    if (job.orderId && job.event === 'order_refunded') {
      const order = await this.queries.order(job.botId, job.orderId);
      if (!order) return;
      const key = job.refundTo === 'offline' ? 'order.refunded.offline' : 'order.refunded.wallet';
      await this.toUser(bot, telegram, order.userId, noticeKey(job, order.id), (lang) =>
        translate(lang, key, { amount: formatMoney(lang, order.amountMinor, order.currency) }),
      );
      return;
    }
    if (job.orderId && job.event === 'fulfilment_failed') {
      const order = await this.queries.order(job.botId, job.orderId);
      if (!order) return;
      await this.toUser(bot, telegram, order.userId, noticeKey(job, order.id), (lang) =>
        translate(lang, 'fulfil.failed', { amount: formatMoney(lang, order.amountMinor, order.currency) }),
      );
      const note = translate(bot.defaultLanguage, 'review.failedFulfil', {
        order: order.id,
        amount: formatMoney(bot.defaultLanguage, order.amountMinor, order.currency),
      });
      await this.toAdmins(bot, telegram, async (target) => {
        const sent = await telegram.sendMessage(target.chatId, note, {
          parse_mode: 'HTML',
          ...(target.threadId ? { message_thread_id: target.threadId } : {}),
        });
        return sent.message_id;
      });
    }
  }

  async handleOwner(job: OwnerJob): Promise<void> {
    const bot = await this.botSelf.get(job.botId);
    if (!bot || bot.status === 'deleted' || bot.status === 'token_invalid') return;
    if (job.kind === 'notice_undelivered') {
      // The admin chat may be what failed: this alert goes to the owner's private chat alone.
      const text = noticeUndeliveredText(bot.defaultLanguage, bot.telegramUsername, job.data?.notice, job.data?.ref);
      return this.send(this.telegramFor(bot), bot.ownerTelegramId, text);
    }
    if (job.kind === 'suspended' || job.kind === 'resumed') {
      // The operator's decision (master bot), told in the owner's private chat with their own bot.
      const text = ownerStatusNoticeText(bot.defaultLanguage, job.kind, bot.telegramUsername, job.data?.reason);
      return this.send(this.telegramFor(bot), bot.ownerTelegramId, text);
    }
    const key = job.kind === 'wholesale_low' ? 'owner.wholesaleLow' : job.kind === 'no_card' ? 'owner.noCard' : null;
    const text =
      job.kind === 'stars_refund_unapplied'
        ? starsRefundUnappliedText(bot.defaultLanguage, `@${bot.telegramUsername}`, job.data)
        : key && translate(bot.defaultLanguage, key, { bot: `@${bot.telegramUsername}` });
    if (!text) return;
    const telegram = this.telegramFor(bot);
    await this.send(telegram, bot.ownerTelegramId, text);
    if (!bot.adminChatId) return;
    try {
      await this.send(telegram, bot.adminChatId, text, bot.adminTopicId ?? undefined);
    } catch (err) {
      // The owner has it already; a retry for an admin chat that refuses for good would only repeat it to them.
      const reason = adminChatUnreachable(err);
      if (!reason) throw err;
      this.logger.warn({ botId: bot.id, reason }, 'owner alert: the admin chat is unreachable');
    }
  }

  private async sendReview(bot: BotEntity, telegram: BotSender, payment: CardPaymentEntity): Promise<void> {
    if (payment.status !== 'pending') return;
    // One review message per submitted receipt (a resubmission gets a new one).
    const dedupeKey = `review:${payment.id}:${payment.updatedAt.getTime()}`;
    if (await this.cards.reviewMessageSent(bot.id, dedupeKey)) return;
    const lang = bot.defaultLanguage;
    const subject = await this.queries.reviewSubject(bot.id, payment);
    const asPhoto = payment.receiptType === 'photo' && !!payment.receiptFileId;
    const limit = asPhoto ? TELEGRAM_LIMITS.caption : TELEGRAM_LIMITS.messageText;
    const text = reviewMessageText(lang, payment, subject, bot.currency, limit);
    const post = async (target: { chatId: number; threadId?: number }) => {
      const extra = {
        parse_mode: 'HTML' as const,
        reply_markup: { inline_keyboard: reviewKeyboard(payment.id, lang) },
        ...(target.threadId ? { message_thread_id: target.threadId } : {}),
      };
      const sent =
        asPhoto && payment.receiptFileId
          ? await telegram.sendPhoto(target.chatId, payment.receiptFileId, { ...extra, caption: text })
          : await telegram.sendMessage(target.chatId, text, extra);
      return sent.message_id;
    };
    const { chatId, messageId } = await this.toAdmins(bot, telegram, post);
    await this.cards.recordReviewMessage(bot.id, {
      paymentId: payment.id,
      userId: payment.userId,
      chatId,
      messageId,
      dedupeKey,
    });
  }

  /**
   * Posts to the admin chat (its topic); when Telegram says that chat cannot take it (gone, bot removed, no
   * rights, topic closed) no retry would help, so it goes to the owner's private chat at once, followed by
   * a note telling the owner why. Passing faults (429, 5xx, network) are thrown to the job's retries.
   */
  private async toAdmins(
    bot: BotEntity,
    telegram: BotSender,
    post: (target: { chatId: number; threadId?: number }) => Promise<number>,
  ): Promise<{ chatId: number; messageId: number }> {
    const target = this.reviewTarget(bot);
    try {
      return { chatId: target.chatId, messageId: await post(target) };
    } catch (err) {
      const reason = target.chatId === bot.ownerTelegramId ? null : adminChatUnreachable(err);
      if (!reason) throw err;
      this.logger.warn({ botId: bot.id, reason }, 'the admin chat is unreachable: posting to the owner');
      const owner = bot.ownerTelegramId;
      const messageId = await post({ chatId: owner });
      const lang = bot.defaultLanguage;
      const why = translate(lang, 'owner.reviewRedirected', {
        bot: `@${bot.telegramUsername}`,
        reason: translate(lang, `owner.unreachable.${reason}`),
      });
      await this.send(telegram, owner, why, undefined, messageId);
      return { chatId: owner, messageId };
    }
  }

  /**
   * A receipt still waiting for a decision: the admins are reminded under the review message; the last
   * reminder goes to the owner's private chat, with the Approve / Reject buttons so they can decide there.
   */
  private async remindReview(
    bot: BotEntity,
    telegram: BotSender,
    payment: CardPaymentEntity,
    reminder: number,
  ): Promise<void> {
    const stage = REVIEW_REMINDERS[reminder - 1];
    if (payment.status !== 'pending' || !stage) return;
    const lang = bot.defaultLanguage;
    const params = {
      bot: `@${bot.telegramUsername}`,
      tracking: payment.trackingNumber,
      amount: formatMoney(lang, payment.amountMinor, bot.currency),
      minutes: stage.afterMinutes,
    };
    if (stage.to === 'owner') {
      await telegram.sendMessage(bot.ownerTelegramId, translate(lang, 'owner.reviewOverdue', params), {
        parse_mode: 'HTML',
        reply_markup: { inline_keyboard: reviewKeyboard(payment.id, lang) },
      });
      return;
    }
    const target = this.reviewTarget(bot);
    const chatId = payment.reviewChatId ?? target.chatId;
    const threadId = chatId === target.chatId ? target.threadId : undefined;
    await this.send(
      telegram,
      chatId,
      translate(lang, 'review.reminder', params),
      threadId,
      payment.reviewMessageId ?? undefined,
    );
  }

  /** Takes the buttons off the review message and says, under it, what happened. */
  private async closeReview(
    bot: BotEntity,
    telegram: BotSender,
    payment: CardPaymentEntity,
    note: string,
  ): Promise<void> {
    if (!payment.reviewChatId || !payment.reviewMessageId) return;
    try {
      await telegram.editMessageReplyMarkup(payment.reviewChatId, payment.reviewMessageId, undefined, undefined);
    } catch (err) {
      this.logger.warn({ err, botId: bot.id }, 'could not close the review message');
    }
    try {
      await this.send(telegram, payment.reviewChatId, note, undefined, payment.reviewMessageId);
    } catch (err) {
      // The user has their news; hours of retries into a chat that will not take the note would only repeat it.
      if (!adminChatUnreachable(err)) throw err;
      this.logger.warn({ botId: bot.id }, 'the review chat is unreachable: the decision note is not posted');
    }
  }

  /**
   * The user's news, once: a job retried for hours (the closing note failed, say) must not repeat it, so a
   * `sent_notifications` row keyed by `once` is written after Telegram took it and checked before sending.
   */
  private async toUser(
    bot: BotEntity,
    telegram: BotSender,
    userId: string,
    once: string,
    text: (lang: Language) => string | Screen | Promise<Screen>,
  ): Promise<void> {
    const user = await this.queries.buyer(bot.id, userId);
    if (!user || user.botBlockedAt) return;
    if (await this.sent.wasSent(bot.id, once)) return;
    const lang = user.language ?? bot.defaultLanguage;
    const said = await text(lang);
    const screen: Screen = typeof said === 'string' ? { text: said } : said;
    try {
      await telegram.sendMessage(user.telegramId, screen.text, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(screen.keyboard?.length ? { reply_markup: { inline_keyboard: screen.keyboard } } : {}),
      });
    } catch (err) {
      // The messenger has marked a user who blocked the bot; nothing more to tell them.
      if (err instanceof RecipientGoneError) return;
      throw err;
    }
    await this.sent.recordOnce(bot.id, { userId: user.id, subscriptionId: null, kind: 'sale_notice', dedupeKey: once });
  }

  private async send(
    telegram: BotSender,
    chatId: number,
    text: string,
    threadId?: number,
    replyTo?: number,
  ): Promise<void> {
    await telegram.sendMessage(chatId, text, {
      parse_mode: 'HTML',
      ...(threadId ? { message_thread_id: threadId } : {}),
      ...(replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
    });
  }
}

/** Telegram refunded Stars our side could not take back (libs/payments StarsCheckout): who, how much, which order, why. */
function starsRefundUnappliedText(lang: Language, bot: string, data: Record<string, string | number> = {}): string {
  const reason = data.reason === 'spent' || data.reason === 'unsettled' ? data.reason : 'refused';
  return translate(lang, 'owner.starsRefundUnapplied', {
    bot,
    user: String(data.telegramId ?? '?'),
    stars: String(data.stars ?? '?'),
    order: String(data.order ?? '-'),
    reason: { html: translate(lang, `owner.starsRefundReason.${reason}`) },
  });
}
