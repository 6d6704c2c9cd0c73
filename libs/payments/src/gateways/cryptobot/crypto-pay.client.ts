import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Crypto Pay hosts: @CryptoBot (mainnet) and @CryptoTestnetBot (testnet). */
export const CRYPTO_PAY_MAINNET_ROOT = 'https://pay.crypt.bot';
export const CRYPTO_PAY_TESTNET_ROOT = 'https://testnet-pay.crypt.bot';

/** The fiat currencies Crypto Pay prices invoices in (`currency_type: fiat`). */
export const CRYPTO_PAY_FIATS: readonly string[] = [
  'USD', 'EUR', 'RUB', 'BYN', 'UAH', 'GBP', 'CNY', 'KZT', 'UZS', 'GEL',
  'TRY', 'AMD', 'THB', 'INR', 'BRL', 'IDR', 'AZN', 'AED', 'PLN', 'ILS',
]; // prettier-ignore
/** The assets a customer may pay a fiat invoice with. */
export const CRYPTO_PAY_ASSETS: readonly string[] = ['USDT', 'TON', 'BTC', 'ETH', 'LTC', 'BNB', 'TRX', 'USDC'];

/** A Crypto Pay API token: `<app id>:<secret>`. Checked before any call so that junk never leaves the process. */
export const CRYPTO_PAY_TOKEN_PATTERN = /^\d{1,12}:[A-Za-z0-9_-]{20,100}$/;

/** The fields of Crypto Pay's Invoice object we read. */
export interface CryptoPayInvoiceView {
  invoiceId: number;
  status: 'active' | 'paid' | 'expired';
  currencyType: 'crypto' | 'fiat';
  fiat: string | null;
  asset: string | null;
  amount: string;
  payUrl: string;
  payload: string | null;
  paidAsset: string | null;
  paidAmount: string | null;
  paidAt: string | null;
  expirationDate: string | null;
}

export interface CreateCryptoPayInvoice {
  fiat: string;
  /** Decimal string with at most 2 fraction digits, e.g. `4.50`. */
  amount: string;
  acceptedAssets?: readonly string[];
  description: string;
  /** Ours, given back in webhooks (≤ 4 kB). */
  payload: string;
  expiresInSeconds: number;
}

/**
 * Why a call failed: `unreachable` (network, timeout, 5xx, garbage), `unauthorized` (the token was refused),
 * `rejected` (Crypto Pay answered ok=false: `name` says why). Never holds the token.
 */
export class CryptoPayError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'unauthorized' | 'rejected',
    readonly errorName: string,
  ) {
    super(`Crypto Pay: ${kind} (${errorName})`);
    this.name = 'CryptoPayError';
  }
}

export interface CryptoPayClientOptions {
  /** Deadline for one call. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * The Crypto Pay API over plain fetch: `POST {root}/api/<method>`, JSON parameters, the app's token in the
 * `Crypto-Pay-API-Token` header (never in a URL, a log or an error), `{ ok, result | error }` answers.
 */
export class CryptoPayClient {
  private readonly root: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(root: string, options: CryptoPayClientOptions = {}) {
    this.root = root.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The app the token belongs to (checks a token). */
  async getMe(token: string): Promise<{ appId: number; name: string }> {
    const r = (await this.call(token, 'getMe', {})) as { app_id?: unknown; name?: unknown };
    if (typeof r?.app_id !== 'number') throw new CryptoPayError('unreachable', 'UNEXPECTED_ANSWER');
    return { appId: r.app_id, name: typeof r.name === 'string' ? r.name : '' };
  }

  async createInvoice(token: string, input: CreateCryptoPayInvoice): Promise<CryptoPayInvoiceView> {
    const params: Record<string, unknown> = {
      currency_type: 'fiat',
      fiat: input.fiat,
      amount: input.amount,
      description: input.description,
      payload: input.payload,
      expires_in: input.expiresInSeconds,
      allow_comments: false,
    };
    if (input.acceptedAssets?.length) params.accepted_assets = input.acceptedAssets.join(',');
    return parseInvoice(await this.call(token, 'createInvoice', params));
  }

  /** The invoices with these ids (those Crypto Pay still knows). */
  async getInvoices(token: string, invoiceIds: readonly number[]): Promise<CryptoPayInvoiceView[]> {
    if (!invoiceIds.length) return [];
    const result = (await this.call(token, 'getInvoices', {
      invoice_ids: invoiceIds.join(','),
      count: Math.min(1000, invoiceIds.length),
    })) as { items?: unknown };
    if (!Array.isArray(result?.items)) throw new CryptoPayError('unreachable', 'UNEXPECTED_ANSWER');
    return result.items.map(parseInvoice);
  }

  private async call(token: string, method: string, params: Record<string, unknown>): Promise<unknown> {
    if (!CRYPTO_PAY_TOKEN_PATTERN.test(token)) throw new CryptoPayError('unauthorized', 'TOKEN_MALFORMED');
    let res: Response;
    try {
      res = await this.fetchFn(`${this.root}/api/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Crypto-Pay-API-Token': token },
        body: JSON.stringify(params),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const timedOut = (e as { name?: string })?.name === 'TimeoutError';
      throw new CryptoPayError('unreachable', timedOut ? 'TIMEOUT' : 'NETWORK');
    }
    let body: { ok?: unknown; result?: unknown; error?: { code?: unknown; name?: unknown } } | undefined;
    try {
      body = (await res.json()) as typeof body;
    } catch {
      body = undefined;
    }
    if (res.status === 401) throw new CryptoPayError('unauthorized', 'UNAUTHORIZED');
    if (res.status >= 500 || !body || typeof body !== 'object') {
      throw new CryptoPayError('unreachable', `HTTP_${res.status}`);
    }
    if (body.ok !== true) {
      const name = typeof body.error?.name === 'string' ? body.error.name.slice(0, 64) : `HTTP_${res.status}`;
      throw new CryptoPayError('rejected', name);
    }
    return body.result;
  }
}

function parseInvoice(raw: unknown): CryptoPayInvoiceView {
  const r = raw as Record<string, unknown> | null;
  const str = (k: string): string | null => (typeof r?.[k] === 'string' ? (r[k] as string) : null);
  const status = str('status');
  const currencyType = str('currency_type');
  const amount = str('amount');
  const payUrl = str('bot_invoice_url') ?? str('pay_url');
  if (
    typeof r?.invoice_id !== 'number' ||
    (status !== 'active' && status !== 'paid' && status !== 'expired') ||
    (currencyType !== 'crypto' && currencyType !== 'fiat') ||
    amount === null ||
    payUrl === null
  ) {
    throw new CryptoPayError('unreachable', 'UNEXPECTED_INVOICE');
  }
  return {
    invoiceId: r.invoice_id,
    status,
    currencyType,
    fiat: str('fiat'),
    asset: str('asset'),
    amount,
    payUrl,
    payload: str('payload'),
    paidAsset: str('paid_asset'),
    paidAmount: str('paid_amount'),
    paidAt: str('paid_at'),
    expirationDate: str('expiration_date'),
  };
}

/**
 * Whether `signature` (the `crypto-pay-api-signature` header) is Crypto Pay's signature of `rawBody` for the app
 * with this token: hex HMAC-SHA-256 of the exact body bytes, keyed with SHA-256(token); compared in constant time.
 */
export function verifyCryptoPaySignature(token: string, rawBody: Buffer, signature: string | undefined): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const key = createHash('sha256').update(token).digest();
  const expected = createHmac('sha256', key).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** The webhook body Crypto Pay sends (`invoice_paid`), parsed strictly; null for anything else. */
export function parseCryptoPayUpdate(
  rawBody: Buffer,
): { updateId: number; type: 'invoice_paid'; invoice: CryptoPayInvoiceView } | null {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return null;
  }
  const u = body as { update_id?: unknown; update_type?: unknown; payload?: unknown } | null;
  if (!u || typeof u.update_id !== 'number' || u.update_type !== 'invoice_paid') return null;
  try {
    return { updateId: u.update_id, type: 'invoice_paid', invoice: parseInvoice(u.payload) };
  } catch {
    return null;
  }
}

/**
 * Our money → a Crypto Pay fiat amount. The bot's currency is used as is when Crypto Pay prices in it (2 decimal
 * places, like every currency in its list); otherwise `rate` (bot minor units per one unit of `fiat`) converts,
 * rounded up to the cent so the shop never receives less than its price. Null: this amount cannot be priced.
 */
export function cryptoPayPrice(
  amountMinor: number,
  botCurrency: string,
  config: { fiat?: string; minorPerFiatUnit?: number },
): { fiat: string; amount: string } | null {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) return null;
  const fiat = config.fiat ?? (CRYPTO_PAY_FIATS.includes(botCurrency) ? botCurrency : undefined);
  if (!fiat || !CRYPTO_PAY_FIATS.includes(fiat)) return null;
  let cents: bigint;
  if (fiat === botCurrency && !config.minorPerFiatUnit) {
    cents = BigInt(amountMinor);
  } else {
    const rate = config.minorPerFiatUnit;
    if (!rate || !Number.isSafeInteger(rate) || rate <= 0) return null;
    const scaled = BigInt(amountMinor) * 100n;
    cents = (scaled + BigInt(rate) - 1n) / BigInt(rate);
  }
  if (cents <= 0n) return null;
  const whole = cents / 100n;
  const frac = (cents % 100n).toString().padStart(2, '0');
  return { fiat, amount: `${whole}.${frac}` };
}
