import { Injectable, Logger } from '@nestjs/common';
import type { Telegram } from 'telegraf';
import { AppConfig } from '@botfleet/config';
import { BotEntity, BotSelfRepository, TenantRepositories } from '@botfleet/dal';
import { SubscriptionViewsService } from '@botfleet/provisioning';
import { SecretBox } from '@botfleet/secrets';
import { BotUsersService } from '@botfleet/users';
import { translate } from '../i18n/translate';
import { ResilientTelegram } from '../client/resilient-telegram';
import { classifyTelegramError, isUserGoneDescription } from '../client/telegram-errors';
import { CAPTION_LIMIT, subscriptionDeliveryText, subscriptionQrPng } from '../screens/subscription-delivery';

export type DeliveryResult = 'sent' | 'already_sent' | 'not_active' | 'unreachable' | 'bot_unavailable';

/** Marker in `sent_notifications` (kind) of a delivered subscription link. */
export const DELIVERY_NOTIFICATION_KIND = 'subscription_delivery';

/** The once-per-purchase key of a delivery in `sent_notifications`. */
export function deliveryDedupeKey(subscriptionId: string, orderId?: string): string {
  return `delivery:${subscriptionId}:${orderId ?? 'initial'}`;
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
 * user's language, through the bot's own token and the shared resilient client (429, 5xx, network retried).
 * Once per purchase: a `sent_notifications` row (unique per bot) is written after Telegram took the
 * message and checked before sending, so a retried job sends nothing again. A crash between the send and
 * that row sends the message once more: for a config the user paid for, twice beats never.
 */
@Injectable()
export class SubscriptionDeliveryService {
  private readonly logger = new Logger(SubscriptionDeliveryService.name);

  constructor(
    private readonly views: SubscriptionViewsService,
    private readonly repos: TenantRepositories,
    private readonly botSelf: BotSelfRepository,
    private readonly users: BotUsersService,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
  ) {}

  async deliver(botId: string, subscriptionId: string, orderId?: string): Promise<DeliveryResult> {
    const view = await this.views.forDelivery(botId, subscriptionId, orderId);
    const url = view?.subscription.subscriptionUrl;
    if (!view || view.subscription.status !== 'active' || !url) return 'not_active';
    const dedupeKey = deliveryDedupeKey(subscriptionId, orderId);
    if ((await this.repos.sentNotifications.count(botId, { dedupeKey })) > 0) return 'already_sent';
    if (view.unreachable) return 'unreachable';
    const bot = await this.botSelf.get(botId);
    if (!bot || bot.status === 'deleted' || bot.status === 'token_invalid') return 'bot_unavailable';

    const lang = view.language ?? bot.defaultLanguage;
    const text = subscriptionDeliveryText(lang, view.subscription, view.purchaseKind === 'renewal');
    const telegram = this.telegramFor(bot);
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
      const failure = classifyTelegramError(err);
      if (failure.kind === 'forbidden' && isUserGoneDescription(failure.description)) {
        await this.users.markBotBlocked(botId, view.telegramId);
        return 'unreachable';
      }
      if (failure.kind === 'bad_request' && /chat not found/i.test(failure.description)) return 'unreachable';
      throw new DeliverySendError(failure.kind);
    }
    await this.repos.db.within(botId, (m) =>
      m.query(
        `INSERT INTO sent_notifications (bot_id, user_id, subscription_id, kind, dedupe_key) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (bot_id, dedupe_key) DO NOTHING`,
        [botId, view.userId, subscriptionId, DELIVERY_NOTIFICATION_KIND, dedupeKey],
      ),
    );
    this.logger.log({ botId, subscriptionId, orderId }, 'subscription delivered');
    return 'sent';
  }

  private telegramFor(bot: BotEntity): Telegram {
    // The token is decrypted for this call only; it never leaves the client (not in errors, logs or jobs).
    const token = this.box.decrypt(bot.telegramTokenCiphertext, bot.id);
    return new ResilientTelegram(token, { apiRoot: this.config.TELEGRAM_API_ROOT, webhookReply: false });
  }
}
