import { Injectable, Logger } from '@nestjs/common';
import { BotSelfRepository, SentNotificationRepository } from '@botfleet/dal';
import { SubscriptionViewsService } from '@botfleet/provisioning';
import { translate } from '../i18n/translate';
import { classifyTelegramError } from '../client/telegram-errors';
import { Messenger } from '../messaging/messenger.service';
import { RecipientGoneError } from '../messaging/recipient-gone';
import { credentialsOf } from '../runtime/bot-runtime';
import { CAPTION_LIMIT, subscriptionDeliveryText, subscriptionQrPng } from '../screens/subscription-delivery';

export type DeliveryResult = 'sent' | 'already_sent' | 'not_active' | 'unreachable' | 'bot_unavailable';

/** Marker in `sent_notifications` (kind) of a delivered subscription link. */
export const DELIVERY_NOTIFICATION_KIND = 'subscription_delivery';

/** The once-per-purchase key of a delivery in `sent_notifications`. */
export function deliveryDedupeKey(subscriptionId: string, orderId?: string): string {
  return `delivery:${subscriptionId}:${orderId ?? 'initial'}`;
}

/** The once-per-press key of a link an admin sent again ("Resend link"). */
export function resendDedupeKey(subscriptionId: string, resend: string): string {
  return `resend:${subscriptionId}:${resend}`;
}

/** A failed send, described without the URL (it holds the bot token) or anything else from the request. */
export class DeliverySendError extends Error {
  constructor(readonly kind: string) {
    super(`Telegram did not take the subscription delivery (${kind})`);
    this.name = 'DeliverySendError';
  }
}

/**
 * Hands an active subscription to its user (PRODUCT.md C12): one photo message — the QR code of the link,
 * captioned with the link as tap-to-copy code, the expiry, the traffic limit and the device limit — in the
 * user's language, through the bot's own token and the messenger (429, 5xx, network retried; 401 reported).
 * Once per purchase: a `sent_notifications` row (unique per bot) is written after Telegram took the
 * message and checked before sending, so a retried job sends nothing again. A crash between the send and
 * that row sends the message once more: for a config the user paid for, twice beats never.
 */
@Injectable()
export class SubscriptionDeliveryService {
  private readonly logger = new Logger(SubscriptionDeliveryService.name);

  constructor(
    private readonly views: SubscriptionViewsService,
    private readonly sent: SentNotificationRepository,
    private readonly botSelf: BotSelfRepository,
    private readonly messenger: Messenger,
  ) {}

  /** `resend`: an admin's "Resend link" (the current link, not a purchase's), once per key. */
  async deliver(botId: string, subscriptionId: string, orderId?: string, resend?: string): Promise<DeliveryResult> {
    const view = await this.views.forDelivery(botId, subscriptionId, resend ? undefined : orderId);
    const url = view?.subscription.subscriptionUrl;
    if (!view || view.subscription.status !== 'active' || !url) return 'not_active';
    const dedupeKey = resend ? resendDedupeKey(subscriptionId, resend) : deliveryDedupeKey(subscriptionId, orderId);
    if (await this.sent.wasSent(botId, dedupeKey)) return 'already_sent';
    if (view.unreachable) return 'unreachable';
    const bot = await this.botSelf.get(botId);
    if (!bot || bot.status === 'deleted' || bot.status === 'token_invalid') return 'bot_unavailable';

    const lang = view.language ?? bot.defaultLanguage;
    const text = subscriptionDeliveryText(lang, view.subscription, !resend && view.purchaseKind === 'renewal');
    const telegram = this.messenger.as(credentialsOf(bot));
    const qr = { source: await subscriptionQrPng(url), filename: 'subscription-qr.png' };
    try {
      if (text.length <= CAPTION_LIMIT) {
        await telegram.sendPhoto(view.telegramId, qr, { caption: text, parse_mode: 'HTML' });
      } else {
        await telegram.sendMessage(view.telegramId, text, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
        });
        await telegram.sendPhoto(view.telegramId, qr, { caption: translate(lang, 'delivery.qrCaption') });
      }
    } catch (err) {
      // A user who blocked the bot is marked by the messenger.
      if (err instanceof RecipientGoneError) return 'unreachable';
      const failure = classifyTelegramError(err);
      if (failure.kind === 'bad_request' && /chat not found/i.test(failure.description)) return 'unreachable';
      throw new DeliverySendError(failure.kind);
    }
    await this.sent.recordOnce(botId, {
      userId: view.userId,
      subscriptionId,
      kind: DELIVERY_NOTIFICATION_KIND,
      dedupeKey,
    });
    this.logger.log({ botId, subscriptionId, orderId }, 'subscription delivered');
    return 'sent';
  }
}
