import { DomainError, ErrorCode } from '@botfleet/common';

/** Zarinpal REST v4 result codes this product acts on (Zarinpal's documentation lists more; all others fail). */
export const ZarinpalCode = {
  /** Request accepted / payment verified now. */
  OK: 100,
  /** Verified before: success, nothing new. */
  ALREADY_VERIFIED: 101,
  /** The amount we sent is not the amount paid. */
  AMOUNT_MISMATCH: -50,
  /** The payment did not succeed (session invalid). */
  NOT_PAID: -51,
} as const;

export interface ZarinpalRequestBody {
  merchant_id: string;
  amount: number;
  currency: 'IRR' | 'IRT';
  description: string;
  callback_url: string;
  metadata?: { order_id?: string };
}

export interface ZarinpalRequestData {
  code: number;
  message?: string;
  authority?: string;
  fee_type?: string;
  fee?: number;
}

export interface ZarinpalVerifyData {
  code: number;
  message?: string;
  card_hash?: string;
  card_pan?: string;
  ref_id?: number | string;
  fee_type?: string;
  fee?: number;
}

export interface ZarinpalUnverifiedData {
  code: number;
  message?: string;
  authorities?: { authority: string; amount: number; callback_url?: string; referer?: string; date?: string }[];
}

/** Zarinpal's envelope: `data` on success, `errors` ({ code, message }) otherwise (then `data` is often `[]`). */
interface Envelope<T> {
  data?: T | unknown[];
  errors?: { code?: number; message?: string } | unknown[];
}

const TIMEOUT_MS = 10_000;

/** The one HTTP client of Zarinpal REST v4 (request, verify, unVerified) and its StartPay URL. */
export class ZarinpalClient {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchFn: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  startPayUrl(authority: string): string {
    return `${this.base()}/pg/StartPay/${encodeURIComponent(authority)}`;
  }

  request(body: ZarinpalRequestBody): Promise<ZarinpalRequestData> {
    return this.post<ZarinpalRequestData>('request.json', body);
  }

  verify(merchantId: string, amount: number, authority: string): Promise<ZarinpalVerifyData> {
    return this.post<ZarinpalVerifyData>('verify.json', { merchant_id: merchantId, amount, authority });
  }

  unverified(merchantId: string): Promise<ZarinpalUnverifiedData> {
    return this.post<ZarinpalUnverifiedData>('unVerified.json', { merchant_id: merchantId });
  }

  private base(): string {
    return this.baseUrl.replace(/\/+$/, '');
  }

  /** The result code and data of one call; an unreachable gateway or a reply without a code is UNAVAILABLE. */
  private async post<T extends { code: number }>(path: string, body: object): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.base()}/pg/v4/payment/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw unavailable(`Zarinpal ${path} could not be reached`);
    }
    let json: Envelope<T>;
    try {
      json = (await res.json()) as Envelope<T>;
    } catch {
      throw unavailable(`Zarinpal ${path} answered HTTP ${res.status} without JSON`);
    }
    const data = json.data;
    if (data && !Array.isArray(data) && typeof (data as T).code === 'number') return data as T;
    const errors = json.errors;
    if (errors && !Array.isArray(errors) && typeof errors.code === 'number') {
      return { code: errors.code, message: errors.message } as unknown as T;
    }
    throw unavailable(`Zarinpal ${path} answered HTTP ${res.status} without a result code`);
  }
}

const unavailable = (message: string) => new DomainError(ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE, message);
