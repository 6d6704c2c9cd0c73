import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { DomainError, ErrorCode, isUuid } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BotSelfRepository, TenantRepositories } from '@botfleet/dal';
import { constantTimeEqual, SecretBox, TokenHasher } from '@botfleet/secrets';

/** How long a receipt photo URL works. */
export const RECEIPT_PHOTO_URL_TTL_S = 300;
export const RECEIPT_MEDIA_PATH = '/v1/media/receipts';
const FETCH_TIMEOUT_MS = 15_000;

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

export interface ReceiptPhotoUrl {
  url: string;
  expiresAt: Date;
}

export interface ReceiptPhotoStream {
  body: Readable;
  contentType: string;
  length: number | null;
}

/**
 * Receipt photos for the web console. The photo stays in Telegram; the console gets a short-lived URL signed
 * with HMAC-SHA-256 (the TOKEN_HASH_KEY, domain-separated) over bot id, payment id and expiry, and the API
 * fetches the file with the bot's token (getFile, then the file download) server-side. No URL handed out ever
 * holds a bot token, and a URL names one payment of one bot until it expires.
 */
@Injectable()
export class ReceiptPhotosService {
  constructor(
    private readonly repos: TenantRepositories,
    private readonly self: BotSelfRepository,
    private readonly box: SecretBox,
    private readonly hasher: TokenHasher,
    private readonly config: AppConfig,
  ) {}

  /** A signed URL for the payment's receipt photo; NOT_FOUND when the payment is not this bot's or has none. */
  async urlFor(botId: string, paymentId: string, now = Date.now()): Promise<ReceiptPhotoUrl> {
    await this.photoFileId(botId, paymentId);
    const exp = Math.floor(now / 1000) + RECEIPT_PHOTO_URL_TTL_S;
    const token = `${botId}.${paymentId}.${exp}.${this.signature(botId, paymentId, exp)}`;
    return { url: `${RECEIPT_MEDIA_PATH}/${token}`, expiresAt: new Date(exp * 1000) };
  }

  /** The bot and payment a URL token names, or null when it is malformed, tampered with or expired. */
  verify(token: string, now = Date.now()): { botId: string; paymentId: string } | null {
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 4) return null;
    const [botId, paymentId, expText, sig] = parts;
    if (!isUuid(botId) || !isUuid(paymentId) || !/^\d{1,12}$/.test(expText) || !/^[0-9a-f]{64}$/.test(sig)) {
      return null;
    }
    const exp = Number(expText);
    if (!constantTimeEqual(sig, this.signature(botId, paymentId, exp))) return null;
    if (exp * 1000 <= now) return null;
    return { botId, paymentId };
  }

  /** The photo's bytes from Telegram. NOT_FOUND when it is gone; DEPENDENCY_DOWN when Telegram does not answer. */
  async open(botId: string, paymentId: string): Promise<ReceiptPhotoStream> {
    const fileId = await this.photoFileId(botId, paymentId);
    const bot = await this.self.get(botId);
    if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Not found');
    const token = this.box.decrypt(bot.telegramTokenCiphertext, botId);
    const root = this.config.TELEGRAM_API_ROOT.replace(/\/+$/, '');
    // The token is in these URLs: nothing below puts a URL or a fetch error's text into an error or a log.
    const info = await this.fetchOrDown(`${root}/bot${token}/getFile`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ file_id: fileId }),
    });
    const body = (await info.json().catch(() => null)) as { ok?: boolean; result?: { file_path?: unknown } } | null;
    const path = body?.ok ? body.result?.file_path : undefined;
    if (typeof path !== 'string' || !path || path.includes('..')) {
      if (info.status === 400 || info.status === 404) throw new DomainError(ErrorCode.NOT_FOUND, 'The photo is gone');
      throw new DomainError(ErrorCode.DEPENDENCY_DOWN, `Telegram answered getFile with HTTP ${info.status}`);
    }
    const file = await this.fetchOrDown(`${root}/file/bot${token}/${path}`, { method: 'GET' });
    if (!file.ok || !file.body) {
      if (file.status === 404) throw new DomainError(ErrorCode.NOT_FOUND, 'The photo is gone');
      throw new DomainError(ErrorCode.DEPENDENCY_DOWN, `Telegram answered the file download with HTTP ${file.status}`);
    }
    const ext = path.split('.').pop()?.toLowerCase() ?? '';
    const length = Number(file.headers.get('content-length'));
    return {
      body: Readable.fromWeb(file.body as import('node:stream/web').ReadableStream),
      contentType: CONTENT_TYPES[ext] ?? 'image/jpeg',
      length: Number.isSafeInteger(length) && length >= 0 ? length : null,
    };
  }

  private async photoFileId(botId: string, paymentId: string): Promise<string> {
    const payment = await this.repos.cardPayments.findById(botId, paymentId);
    if (!payment || payment.receiptType !== 'photo' || !payment.receiptFileId) {
      throw new DomainError(ErrorCode.NOT_FOUND, 'No receipt photo');
    }
    return payment.receiptFileId;
  }

  private signature(botId: string, paymentId: string, exp: number): string {
    return this.hasher.hmac(`receipt-photo-url:v1:${botId}:${paymentId}:${exp}`);
  }

  private async fetchOrDown(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch {
      throw new DomainError(ErrorCode.DEPENDENCY_DOWN, 'Telegram could not be reached for the receipt photo');
    }
  }
}
