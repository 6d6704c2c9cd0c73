import { Injectable } from '@nestjs/common';
import { isLanguage, Language } from '@botfleet/catalog';
import { DomainError, ErrorCode } from '@botfleet/common';
import { BotEntity, BotSelfRepository, SentNotificationRepository } from '@botfleet/dal';
import { JobName, JobPayloads } from '@botfleet/jobs';
import { PaymentsQueries, StartGatewayPaymentUseCase, wasAbandoned, wasSuperseded } from '@botfleet/payments';
import { classifyTelegramError, isNotModified } from '../client/telegram-errors';
import type { Screen } from '../context/bot-context';
import { replyFor } from '../errors/reply-for';
import { translate } from '../i18n/translate';
import { BotSender } from '../messaging/bot-sender';
import { Messenger } from '../messaging/messenger.service';
import { RecipientGoneError } from '../messaging/recipient-gone';
import { credentialsOf } from '../runtime/bot-runtime';
import { paymentClosedScreen, paymentLinkScreen, paymentReplacedScreen } from './payment-screens';

type LinkJob = JobPayloads[JobName.StartGatewayPayment];

/**
 * The second half of a gateway button (PaymentHandler, the wallet's top-up): the update opened the payment and
 * committed; this job asks the gateway — outside any transaction, so a slow gateway holds no connection and no lock
 * — and shows the buyer where to pay, replacing the screen the button was on (a new message if it cannot be
 * edited). The link is shown once per payment (sent_notifications); a retried job asks the gateway no second time
 * once an answer is recorded. A gateway that refuses or cannot be reached: the buyer is told, the payment is failed
 * and the job ends (the buyer taps again rather than wait on retries). A payment that closed before its link came
 * (expired, failed): the buyer is told it is no longer open, with the way back — except a paid one, whose notice says
 * so. One ended by a newer payment for the order says it was replaced, unless that newer payment (or a later one) was
 * opened on the same screen: its own job shows the newer link there, which this one must not overwrite.
 */
@Injectable()
export class PaymentLinks {
  constructor(
    private readonly botSelf: BotSelfRepository,
    private readonly queries: PaymentsQueries,
    private readonly startPayment: StartGatewayPaymentUseCase,
    private readonly messenger: Messenger,
    private readonly sent: SentNotificationRepository,
  ) {}

  async handle(job: LinkJob): Promise<void> {
    const bot = await this.botSelf.get(job.botId);
    if (!bot || bot.status === 'deleted' || bot.status === 'token_invalid') return;
    const facts = await this.queries.noticeFacts(job.botId, job.paymentId);
    if (!facts || facts.user.botBlockedAt) return;
    const once = `payment:link:${job.paymentId}`;
    if (await this.sent.wasSent(bot.id, once)) return;
    const lang = isLanguage(job.language) ? job.language : (facts.user.language ?? bot.defaultLanguage);
    let screen: Screen;
    try {
      const started = await this.startPayment.complete(bot.id, job.paymentId, lang);
      if (!started) {
        const closed = await this.closedScreen(job.botId, job.paymentId, job.messageId, lang);
        if (!closed) return;
        screen = closed;
      } else {
        if (started.action.kind !== 'url') return;
        screen = paymentLinkScreen(started.payment, started.action.url, lang);
      }
    } catch (e) {
      if (!DomainError.is(e)) throw e;
      screen = { text: translate(lang, replyFor(e.code)) };
    }
    await this.tellOnce(bot, facts.user, once, job.messageId, screen);
  }

  /**
   * The job gave up (its retries ran out: the database, Telegram or the gateway kept failing): the payment still
   * waiting for its link is failed — not left pending until its deadline — and the buyer is told to try again.
   * The hook may run more than once (again when it threw): what to do is read from the stored state, not from
   * whether this call failed the payment — a payment `abandon` failed whose notice is not recorded is told, and the
   * notice is recorded only once sent (a Telegram failure throws, so the next call tells). A payment the gateway
   * answered (or paid, superseded, expired…) is left as it is and nobody is told.
   */
  async gaveUp(job: LinkJob): Promise<void> {
    await this.startPayment.abandon(job.botId, job.paymentId);
    const bot = await this.botSelf.get(job.botId);
    if (!bot || bot.status === 'deleted' || bot.status === 'token_invalid') return;
    const facts = await this.queries.noticeFacts(job.botId, job.paymentId);
    if (!facts || facts.user.botBlockedAt || !wasAbandoned(facts.payment)) return;
    const once = `payment:link:${job.paymentId}`;
    if (await this.sent.wasSent(bot.id, once)) return;
    const lang = isLanguage(job.language) ? job.language : (facts.user.language ?? bot.defaultLanguage);
    const screen = { text: translate(lang, replyFor(ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE)) };
    await this.tellOnce(bot, facts.user, once, job.messageId, screen);
  }

  /** What to tell the buyer about a payment `complete` found nothing to show for (null: nothing, see the class). */
  private async closedScreen(
    botId: string,
    paymentId: string,
    messageId: number | undefined,
    lang: Language,
  ): Promise<Screen | null> {
    const payment = (await this.queries.noticeFacts(botId, paymentId))?.payment;
    if (!payment || payment.status === 'paid' || payment.status === 'refunded') return null;
    if (!wasSuperseded(payment)) return paymentClosedScreen(payment, lang);
    // Without a screen of its own there is nothing left waiting to be corrected: a new message would only be noise.
    if (messageId === undefined || (await this.queries.newerOnScreen(botId, payment, messageId))) return null;
    return paymentReplacedScreen(payment, lang);
  }

  /**
   * Shows the screen and records `once` after it was shown (a failed send throws and records nothing, so the job or
   * hook that runs again shows it). A buyer who blocked the bot has nothing to be shown.
   */
  private async tellOnce(
    bot: BotEntity,
    user: { id: string; telegramId: number },
    once: string,
    messageId: number | undefined,
    screen: Screen,
  ): Promise<void> {
    try {
      await this.show(this.messenger.as(credentialsOf(bot)), user.telegramId, messageId, screen);
    } catch (err) {
      if (err instanceof RecipientGoneError) return;
      throw err;
    }
    await this.sent.recordOnce(bot.id, { userId: user.id, subscriptionId: null, kind: 'sale_notice', dedupeKey: once });
  }

  private async show(sender: BotSender, chatId: number, messageId: number | undefined, screen: Screen): Promise<void> {
    const markup = screen.keyboard?.length ? { inline_keyboard: screen.keyboard } : undefined;
    const options = { parse_mode: 'HTML' as const, link_preview_options: { is_disabled: true }, reply_markup: markup };
    if (messageId !== undefined) {
      try {
        await sender.call('editMessageText', { chat_id: chatId, message_id: messageId, text: screen.text, ...options });
        return;
      } catch (err) {
        const f = classifyTelegramError(err);
        if (f.kind !== 'bad_request') throw err;
        if (isNotModified(f.description)) return;
        // The screen is gone or too old to edit: the link comes as a new message.
      }
    }
    await sender.sendMessage(chatId, screen.text, options);
  }
}
