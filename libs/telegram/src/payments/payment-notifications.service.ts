import { Injectable } from '@nestjs/common';
import { BotSelfRepository, SentNotificationRepository } from '@botfleet/dal';
import { JobName, JobPayloads } from '@botfleet/jobs';
import { PaymentsQueries } from '@botfleet/payments';
import type { TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import { Messenger } from '../messaging/messenger.service';
import { RecipientGoneError } from '../messaging/recipient-gone';
import { credentialsOf } from '../runtime/bot-runtime';
import { formatMoney } from '../sales/sale-format';
import { TopUpNotices } from '../wallet/top-up-notices';

type PaymentJob = JobPayloads[JobName.PaymentNotification];

const TEXT: Record<PaymentJob['event'], TextKey | null> = {
  paid_to_wallet: 'pay.creditedToWallet',
  topup_credited: 'pay.topupCredited',
  refunded: 'pay.refunded',
  failed: null,
};

/**
 * A gateway payment's outcome told to its buyer, through the bot's own token, once per payment and event
 * (sent_notifications): the money went to the wallet, a top-up arrived, a refund. Runs in the notifications queue.
 */
@Injectable()
export class PaymentNotifications {
  constructor(
    private readonly botSelf: BotSelfRepository,
    private readonly queries: PaymentsQueries,
    private readonly messenger: Messenger,
    private readonly sent: SentNotificationRepository,
    private readonly topUps: TopUpNotices,
  ) {}

  async handle(job: PaymentJob): Promise<void> {
    const key = TEXT[job.event];
    if (!key) return;
    const bot = await this.botSelf.get(job.botId);
    if (!bot || bot.status === 'deleted' || bot.status === 'token_invalid') return;
    const facts = await this.queries.noticeFacts(job.botId, job.paymentId);
    if (!facts || facts.user.botBlockedAt) return;
    const once = `payment:${job.event}:${job.paymentId}`;
    if (await this.sent.wasSent(bot.id, once)) return;
    const lang = facts.user.language ?? bot.defaultLanguage;
    const text = translate(lang, key, {
      amount: formatMoney(lang, facts.payment.amountMinor, facts.payment.currency),
      balance: formatMoney(lang, facts.balanceMinor, bot.currency),
    });
    // A top-up started for an order the wallet could not cover: the user is asked to pay it now (wallet/).
    const ask =
      job.event === 'topup_credited'
        ? await this.topUps.askToPay(bot.id, facts.user.id, facts.payment.details.forOrderId, lang)
        : null;
    try {
      await this.messenger
        .as(credentialsOf(bot))
        .sendMessage(facts.user.telegramId, ask ? `${text}\n\n${ask.text}` : text, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...(ask?.keyboard ? { reply_markup: { inline_keyboard: ask.keyboard } } : {}),
        });
    } catch (err) {
      if (err instanceof RecipientGoneError) return;
      throw err;
    }
    await this.sent.recordOnce(bot.id, { userId: facts.user.id, subscriptionId: null, kind: 'sale_notice', dedupeKey: once });
  }
}
