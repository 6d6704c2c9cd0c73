import QRCode from 'qrcode';
import type { Language } from '@botfleet/catalog';
import type { SubscriptionView } from '@botfleet/provisioning';
import { translate } from '../i18n/translate';
import { escapeHtml, fitHtml, TELEGRAM_LIMITS } from '../text/html';
import { cleanText } from '../text/sanitize';
import { formatDateTime, formatTraffic } from './subscription-format';

/** Telegram's limit on a photo caption. */
export const CAPTION_LIMIT = 1024;

/**
 * The delivery message (HTML): the link as tap-to-copy code, the expiry and the traffic limit. The link
 * comes from the panel, so it is escaped like any foreign text.
 */
export function subscriptionDeliveryText(lang: Language, sub: SubscriptionView, renewed: boolean): string {
  const lines = [translate(lang, renewed ? 'delivery.renewedTitle' : 'delivery.readyTitle'), ''];
  if (sub.subscriptionUrl) {
    lines.push(translate(lang, 'delivery.link'), `<code>${escapeHtml(cleanText(sub.subscriptionUrl))}</code>`, '');
  }
  if (sub.expiresAt) lines.push(translate(lang, 'delivery.expires', { date: formatDateTime(lang, sub.expiresAt) }));
  lines.push(translate(lang, 'delivery.traffic', { traffic: formatTraffic(lang, sub.trafficLimitBytes) }));
  lines.push(
    translate(lang, 'delivery.devices', {
      devices: sub.deviceLimit > 0 ? String(sub.deviceLimit) : translate(lang, 'devices.unlimited'),
    }),
  );
  lines.push('', translate(lang, 'delivery.howTo'));
  return fitHtml(lines.join('\n'), TELEGRAM_LIMITS.messageText);
}

/**
 * pngjs tries all five PNG row filters per row by default, in plain JavaScript: several times slower than
 * the one filter that suits a QR code (rows repeat, so "Up" leaves mostly zeros for deflate).
 */
const PNG_OPTIONS = { deflateLevel: 9, filterType: 2 };

/** The QR code of the link as a PNG, for `sendPhoto`. */
export function subscriptionQrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, {
    type: 'png',
    errorCorrectionLevel: 'M',
    margin: 2,
    width: 512,
    rendererOpts: PNG_OPTIONS,
  });
}
