import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An emulator of the Crypto Pay API (@CryptoBot / @CryptoTestnetBot) speaking its HTTP protocol:
 * `GET|POST {url}/api/<method>` with the `Crypto-Pay-API-Token` header, parameters in the query string,
 * a JSON body or a form, answers `{ ok: true, result }` or `{ ok: false, error: { code, name } }`.
 * Webhooks are `POST`s of an Update `{ update_id, update_type: 'invoice_paid', request_date, payload }`
 * signed with `crypto-pay-api-signature` = hex HMAC-SHA-256 of the body, key = SHA-256 of the app's token.
 *
 * Control (in process): `createApp`, `setWebhook`, `payInvoice` (marks paid and delivers the webhook),
 * `expireInvoice`, `signedUpdate` (the exact request a webhook sends, for replays), `invoices`, `calls`,
 * `failNext`.
 */

export type InvoiceStatus = 'active' | 'paid' | 'expired';

export const CRYPTO_PAY_ASSETS = ['USDT', 'TON', 'BTC', 'ETH', 'LTC', 'BNB', 'TRX', 'USDC'] as const;
export const CRYPTO_PAY_FIATS = [
  'USD', 'EUR', 'RUB', 'BYN', 'UAH', 'GBP', 'CNY', 'KZT', 'UZS', 'GEL',
  'TRY', 'AMD', 'THB', 'INR', 'BRL', 'IDR', 'AZN', 'AED', 'PLN', 'ILS',
] as const; // prettier-ignore

/** An invoice as Crypto Pay's `Invoice` object (the fields this emulator fills). */
export interface CryptoPayInvoice {
  invoice_id: number;
  hash: string;
  currency_type: 'crypto' | 'fiat';
  asset?: string;
  fiat?: string;
  amount: string;
  accepted_assets?: string[];
  paid_asset?: string;
  paid_amount?: string;
  paid_fiat_rate?: string;
  paid_usd_rate?: string;
  fee_asset?: string;
  fee_amount?: string;
  /** Deprecated by Crypto Pay in favour of bot_invoice_url; still sent. */
  pay_url: string;
  bot_invoice_url: string;
  mini_app_invoice_url: string;
  web_app_invoice_url: string;
  description?: string;
  status: InvoiceStatus;
  created_at: string;
  allow_comments: boolean;
  allow_anonymous: boolean;
  expiration_date?: string;
  paid_at?: string;
  paid_anonymously?: boolean;
  comment?: string;
  hidden_message?: string;
  payload?: string;
  paid_btn_name?: string;
  paid_btn_url?: string;
}

export interface CryptoPayUpdate {
  update_id: number;
  update_type: 'invoice_paid';
  request_date: string;
  payload: CryptoPayInvoice;
}

export interface CryptoPayApp {
  appId: number;
  token: string;
  name: string;
}

export interface WebhookDelivery {
  status: number;
  body: string;
}

export interface CryptoPayEmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
}

interface AppState extends CryptoPayApp {
  webhookUrl?: string;
  invoices: Map<number, CryptoPayInvoice>;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly errorName: string,
  ) {
    super(errorName);
  }
}

const MAX_PAYLOAD_BYTES = 4096;
const MAX_DESCRIPTION = 1024;
const MAX_EXPIRES_IN = 2_678_400;
const DECIMAL = /^(?:0|[1-9]\d{0,14})(?:\.\d{1,18})?$/;

/** The signature Crypto Pay puts on a webhook: hex HMAC-SHA-256 of the body, keyed with SHA-256(token). */
export function cryptoPaySignature(token: string, body: string | Buffer): string {
  const key = createHash('sha256').update(token).digest();
  return createHmac('sha256', key).update(body).digest('hex');
}

export class CryptoPayEmulator {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly host: string;
  private port: number;
  private readonly apps = new Map<string, AppState>();
  private nextAppId = 10_000 + Math.floor(Math.random() * 1000);
  private nextInvoiceId = 100_000 + Math.floor(Math.random() * 1000);
  private nextUpdateId = 1;
  private readonly counts = new Map<string, number>();
  private failures: { remaining: number; status: number } = { remaining: 0, status: 500 };

  constructor(options: CryptoPayEmulatorOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
  }

  static async start(options: CryptoPayEmulatorOptions = {}): Promise<CryptoPayEmulator> {
    const emulator = new CryptoPayEmulator(options);
    await emulator.listen();
    return emulator;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234` (the API is under `/api/`). */
  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
  }

  // ---- control ----------------------------------------------------------------------------------

  /** An app made with /pay in @CryptoBot: its API token (`<app id>:<secret>`). */
  createApp(name = 'Shop'): CryptoPayApp {
    const appId = this.nextAppId++;
    const token = `${appId}:AA${randomBytes(24).toString('base64url')}`;
    this.apps.set(token, { appId, token, name, invoices: new Map() });
    return { appId, token, name };
  }

  /** Webhooks of the app go to `url` (set in @CryptoBot: Crypto Pay → My Apps → Webhooks). */
  setWebhook(token: string, url: string | undefined): void {
    this.requireApp(token).webhookUrl = url;
  }

  /** Every invoice of an app, or of all apps. */
  invoices(token?: string): CryptoPayInvoice[] {
    const apps = token ? [this.requireApp(token)] : [...this.apps.values()];
    return apps.flatMap((app) => [...app.invoices.values()].map((i) => structuredClone(this.refresh(i))));
  }

  invoice(invoiceId: number): CryptoPayInvoice | undefined {
    const found = this.findInvoice(invoiceId);
    return found ? structuredClone(this.refresh(found.invoice)) : undefined;
  }

  /** How often a method was called, e.g. `calls('createInvoice')`. */
  calls(method: string): number {
    return this.counts.get(method) ?? 0;
  }

  /** The next `count` API calls answer HTTP `status` without doing anything. */
  failNext(count: number, status = 500): void {
    this.failures = { remaining: count, status };
  }

  /**
   * The customer pays an active invoice in @CryptoBot: it becomes `paid` and, when the app has a webhook,
   * the signed `invoice_paid` update is delivered once (the answer is returned; Crypto Pay would retry a
   * non-2xx, use `deliver` for that).
   */
  async payInvoice(
    invoiceId: number,
    options: { paidAsset?: string; comment?: string } = {},
  ): Promise<{ invoice: CryptoPayInvoice; delivery?: WebhookDelivery }> {
    const found = this.findInvoice(invoiceId);
    if (!found) throw new Error(`no invoice ${invoiceId}`);
    const invoice = this.refresh(found.invoice);
    if (invoice.status !== 'active') throw new Error(`invoice ${invoiceId} is ${invoice.status}`);
    const asset = options.paidAsset ?? invoice.asset ?? invoice.accepted_assets?.[0] ?? 'USDT';
    invoice.status = 'paid';
    invoice.paid_at = new Date().toISOString();
    invoice.paid_asset = asset;
    invoice.paid_amount = invoice.amount;
    invoice.paid_anonymously = false;
    invoice.paid_fiat_rate = '1.00000000';
    invoice.paid_usd_rate = '1.00000000';
    invoice.fee_asset = asset;
    invoice.fee_amount = '0';
    if (options.comment !== undefined) invoice.comment = options.comment;
    const delivery = found.app.webhookUrl ? await this.deliver(invoiceId) : undefined;
    return { invoice: structuredClone(invoice), delivery };
  }

  /** The invoice's time ran out (as if `expires_in` had passed). */
  expireInvoice(invoiceId: number): void {
    const found = this.findInvoice(invoiceId);
    if (!found) throw new Error(`no invoice ${invoiceId}`);
    if (found.invoice.status !== 'active') throw new Error(`invoice ${invoiceId} is ${found.invoice.status}`);
    found.invoice.status = 'expired';
    found.invoice.expiration_date = new Date().toISOString();
  }

  /**
   * The exact webhook request for a paid invoice: body and headers, signed with the app's token (or with
   * `signWith`, to forge one). The same update id each time it is built for the invoice, like a retry.
   * `claimPaid` builds one for an invoice that is NOT paid (a forgery the API must see through).
   */
  signedUpdate(
    invoiceId: number,
    signWith?: string,
    options: { claimPaid?: boolean } = {},
  ): { body: string; headers: Record<string, string> } {
    const found = this.findInvoice(invoiceId);
    if (!found) throw new Error(`no invoice ${invoiceId}`);
    const payload = structuredClone(this.refresh(found.invoice));
    if (payload.status !== 'paid') {
      // A lie about an unpaid invoice, for forgery tests: Crypto Pay itself still says it is not paid.
      if (!options.claimPaid) throw new Error(`invoice ${invoiceId} is not paid`);
      Object.assign(payload, { status: 'paid', paid_at: new Date().toISOString(), paid_amount: payload.amount });
    }
    const update: CryptoPayUpdate = {
      update_id: this.updateIdFor(invoiceId),
      update_type: 'invoice_paid',
      request_date: new Date().toISOString(),
      payload,
    };
    const body = JSON.stringify(update);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'crypto-pay-api-signature': cryptoPaySignature(signWith ?? found.app.token, body),
      },
    };
  }

  /** Delivers (again) the paid invoice's webhook to the app's URL; returns the answer (status 0: no answer). */
  async deliver(invoiceId: number, signWith?: string): Promise<WebhookDelivery> {
    const found = this.findInvoice(invoiceId);
    if (!found?.app.webhookUrl) throw new Error(`invoice ${invoiceId}: its app has no webhook`);
    const { body, headers } = this.signedUpdate(invoiceId, signWith);
    try {
      const res = await fetch(found.app.webhookUrl, { method: 'POST', headers, body });
      return { status: res.status, body: await res.text() };
    } catch (e) {
      // The receiver is down (as Crypto Pay sees it): no answer at all.
      return { status: 0, body: e instanceof Error ? e.message : String(e) };
    }
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private readonly updateIds = new Map<number, number>();

  private updateIdFor(invoiceId: number): number {
    let id = this.updateIds.get(invoiceId);
    if (id === undefined) {
      id = this.nextUpdateId++;
      this.updateIds.set(invoiceId, id);
    }
    return id;
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        this.port = (server.address() as AddressInfo).port;
        this.server = server;
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const url = new URL(req.url ?? '/', this.url);
      const match = /^\/api\/([A-Za-z]+)\/?$/.exec(url.pathname);
      if (!match || (req.method !== 'GET' && req.method !== 'POST')) throw new ApiError(404, 'NOT_FOUND');
      const method = match[1];
      this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
      if (this.failures.remaining > 0) {
        this.failures.remaining -= 1;
        res.writeHead(this.failures.status, { 'content-type': 'text/html' });
        res.end('<html><body>Server error</body></html>');
        return;
      }
      const params = await readParams(req, url);
      const tokenHeader = req.headers['crypto-pay-api-token'];
      const app = typeof tokenHeader === 'string' ? this.apps.get(tokenHeader) : undefined;
      if (!app) throw new ApiError(401, 'UNAUTHORIZED');
      send(200, { ok: true, result: this.call(app, method, params) });
    } catch (e) {
      if (e instanceof ApiError) send(e.code, { ok: false, error: { code: e.code, name: e.errorName } });
      else send(500, { ok: false, error: { code: 500, name: 'INTERNAL_ERROR' } });
    }
  }

  private call(app: AppState, method: string, params: Record<string, unknown>): unknown {
    switch (method) {
      case 'getMe':
        return { app_id: app.appId, name: app.name, payment_processing_bot_username: 'CryptoBot' };
      case 'createInvoice':
        return this.createInvoice(app, params);
      case 'getInvoices':
        return { items: this.getInvoices(app, params) };
      case 'deleteInvoice': {
        const id = intParam(params, 'invoice_id');
        if (id === undefined || !app.invoices.delete(id)) throw new ApiError(400, 'INVOICE_NOT_FOUND');
        return true;
      }
      default:
        throw new ApiError(405, 'METHOD_NOT_FOUND');
    }
  }

  private createInvoice(app: AppState, params: Record<string, unknown>): CryptoPayInvoice {
    const currencyType = strParam(params, 'currency_type') ?? 'crypto';
    if (currencyType !== 'crypto' && currencyType !== 'fiat') throw new ApiError(400, 'CURRENCY_TYPE_INVALID');
    const amount = strParam(params, 'amount');
    if (!amount || !DECIMAL.test(amount) || Number(amount) <= 0) throw new ApiError(400, 'AMOUNT_INVALID');
    const invoiceId = this.nextInvoiceId++;
    const hash = `IV${randomBytes(6).toString('hex').toUpperCase()}`;
    const invoice: CryptoPayInvoice = {
      invoice_id: invoiceId,
      hash,
      currency_type: currencyType,
      amount,
      pay_url: `https://t.me/CryptoBot?start=${hash}`,
      bot_invoice_url: `https://t.me/CryptoBot?start=${hash}`,
      mini_app_invoice_url: `https://t.me/CryptoBot/app?startapp=invoice-${hash}`,
      web_app_invoice_url: `https://app.send.tg/invoices/${hash}`,
      status: 'active',
      created_at: new Date().toISOString(),
      allow_comments: boolParam(params, 'allow_comments') ?? true,
      allow_anonymous: boolParam(params, 'allow_anonymous') ?? true,
    };
    if (currencyType === 'crypto') {
      const asset = strParam(params, 'asset');
      if (!asset || !(CRYPTO_PAY_ASSETS as readonly string[]).includes(asset)) {
        throw new ApiError(400, 'ASSET_INVALID');
      }
      invoice.asset = asset;
    } else {
      const fiat = strParam(params, 'fiat');
      if (!fiat || !(CRYPTO_PAY_FIATS as readonly string[]).includes(fiat)) throw new ApiError(400, 'FIAT_INVALID');
      if (!/^\d+(?:\.\d{1,2})?$/.test(amount)) throw new ApiError(400, 'AMOUNT_INVALID');
      invoice.fiat = fiat;
      const accepted = strParam(params, 'accepted_assets');
      if (accepted !== undefined) {
        const list = accepted.split(',').map((a) => a.trim());
        if (!list.every((a) => (CRYPTO_PAY_ASSETS as readonly string[]).includes(a))) {
          throw new ApiError(400, 'ACCEPTED_ASSETS_INVALID');
        }
        invoice.accepted_assets = list;
      }
    }
    const description = strParam(params, 'description');
    if (description !== undefined) {
      if (description.length > MAX_DESCRIPTION) throw new ApiError(400, 'DESCRIPTION_TOO_LONG');
      invoice.description = description;
    }
    const hidden = strParam(params, 'hidden_message');
    if (hidden !== undefined) invoice.hidden_message = hidden;
    const payload = strParam(params, 'payload');
    if (payload !== undefined) {
      if (Buffer.byteLength(payload, 'utf8') > MAX_PAYLOAD_BYTES) throw new ApiError(400, 'PAYLOAD_TOO_LONG');
      invoice.payload = payload;
    }
    const button = strParam(params, 'paid_btn_name');
    if (button !== undefined) {
      if (!['viewItem', 'openChannel', 'openBot', 'callback'].includes(button)) {
        throw new ApiError(400, 'PAID_BTN_NAME_INVALID');
      }
      const buttonUrl = strParam(params, 'paid_btn_url');
      if (!buttonUrl || !/^https?:\/\//.test(buttonUrl)) throw new ApiError(400, 'PAID_BTN_URL_REQUIRED');
      invoice.paid_btn_name = button;
      invoice.paid_btn_url = buttonUrl;
    }
    const expiresIn = intParam(params, 'expires_in');
    if (expiresIn !== undefined) {
      if (expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) throw new ApiError(400, 'EXPIRES_IN_INVALID');
      invoice.expiration_date = new Date(Date.now() + expiresIn * 1000).toISOString();
    }
    app.invoices.set(invoiceId, invoice);
    return structuredClone(invoice);
  }

  private getInvoices(app: AppState, params: Record<string, unknown>): CryptoPayInvoice[] {
    const idsParam = strParam(params, 'invoice_ids');
    const ids = idsParam?.split(',').map((s) => Number(s.trim()));
    if (ids && ids.some((id) => !Number.isSafeInteger(id))) throw new ApiError(400, 'INVOICE_IDS_INVALID');
    const status = strParam(params, 'status');
    if (status !== undefined && status !== 'active' && status !== 'paid') throw new ApiError(400, 'STATUS_INVALID');
    const offset = intParam(params, 'offset') ?? 0;
    const count = intParam(params, 'count') ?? 100;
    if (offset < 0) throw new ApiError(400, 'OFFSET_INVALID');
    if (count < 1 || count > 1000) throw new ApiError(400, 'COUNT_INVALID');
    const asset = strParam(params, 'asset');
    const fiat = strParam(params, 'fiat');
    return [...app.invoices.values()]
      .map((i) => this.refresh(i))
      .filter((i) => !ids || ids.includes(i.invoice_id))
      .filter((i) => !status || i.status === status)
      .filter((i) => !asset || i.asset === asset)
      .filter((i) => !fiat || i.fiat === fiat)
      .sort((a, b) => b.invoice_id - a.invoice_id)
      .slice(offset, offset + count)
      .map((i) => structuredClone(i));
  }

  /** An active invoice past its expiration date is expired. */
  private refresh(invoice: CryptoPayInvoice): CryptoPayInvoice {
    if (invoice.status === 'active' && invoice.expiration_date && Date.parse(invoice.expiration_date) <= Date.now()) {
      invoice.status = 'expired';
    }
    return invoice;
  }

  private findInvoice(invoiceId: number): { app: AppState; invoice: CryptoPayInvoice } | undefined {
    for (const app of this.apps.values()) {
      const invoice = app.invoices.get(invoiceId);
      if (invoice) return { app, invoice };
    }
    return undefined;
  }

  private requireApp(token: string): AppState {
    const app = this.apps.get(token);
    if (!app) throw new Error('unknown Crypto Pay app token');
    return app;
  }
}

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (req.method !== 'POST') return params;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new ApiError(413, 'REQUEST_TOO_LARGE');
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return params;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new ApiError(400, 'BAD_REQUEST');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'BAD_REQUEST');
    return { ...params, ...(body as Record<string, unknown>) };
  }
  return { ...params, ...Object.fromEntries(new URLSearchParams(raw)) };
}

function strParam(params: Record<string, unknown>, name: string): string | undefined {
  const v = params[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && name === 'accepted_assets') return v.map(String).join(',');
  if (Array.isArray(v) && name === 'invoice_ids') return v.map(String).join(',');
  if (typeof v !== 'string') throw new ApiError(400, `${name.toUpperCase()}_INVALID`);
  return v;
}

function intParam(params: Record<string, unknown>, name: string): number | undefined {
  const v = strParam(params, name);
  if (v === undefined) return undefined;
  if (!/^-?\d{1,15}$/.test(v)) throw new ApiError(400, `${name.toUpperCase()}_INVALID`);
  return Number(v);
}

function boolParam(params: Record<string, unknown>, name: string): boolean | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new ApiError(400, `${name.toUpperCase()}_INVALID`);
}
