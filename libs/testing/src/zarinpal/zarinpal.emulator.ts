import { createHash, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An emulator of Zarinpal's payment gateway, REST v4, speaking its HTTP protocol (README.md next to this file):
 * `POST /pg/v4/payment/request.json`, `verify.json`, `unVerified.json` (JSON in, `{ data, errors }` out) and the
 * customer's page `GET /pg/StartPay/{authority}` whose buttons send the browser back to the callback URL with
 * `?Authority=…&Status=OK|NOK`. Control, in process or over HTTP (`/__control/…`): `pay`, `cancel`,
 * `payments`, `calls`, `failNext`, `hold`.
 */

export type ZarinpalPaymentState = 'created' | 'paid' | 'verified' | 'cancelled';

export interface EmulatedZarinpalPayment {
  authority: string;
  merchantId: string;
  /** What the merchant asked for, in `currency`. */
  amount: number;
  currency: 'IRR' | 'IRT';
  description: string;
  callbackUrl: string;
  state: ZarinpalPaymentState;
  /** What the customer actually paid (a forged or mismatched payment pays another amount). */
  paidAmount: number | null;
  refId: number | null;
  cardPan: string | null;
  createdAt: Date;
  verifyCount: number;
}

export interface ZarinpalCall {
  path: string;
  body: Record<string, unknown>;
  code: number | null;
}

export interface ZarinpalEmulatorOptions {
  host?: string;
  port?: number;
}

/** Codes this emulator answers (Zarinpal's documented meanings). */
export const ZP = {
  OK: 100,
  ALREADY_VERIFIED: 101,
  VALIDATION: -9,
  MERCHANT_INVALID: -10,
  AMOUNT_MISMATCH: -50,
  NOT_PAID: -51,
  AUTHORITY_INVALID: -54,
} as const;

const MERCHANT = /^[0-9a-f-]{36}$/i;

export class ZarinpalEmulator {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly merchants = new Set<string>();
  private readonly byAuthority = new Map<string, EmulatedZarinpalPayment>();
  private seq = 0;
  private failures = 0;
  private gate: Promise<void> | null = null;
  private waiting = 0;
  readonly calls: ZarinpalCall[] = [];
  /**
   * Called when a payment is verified for the first time, before the answer (100) is sent: a test can make the
   * merchant "crash" between Zarinpal's yes and its own commit (drop its database connection here).
   */
  afterFirstVerify: ((payment: EmulatedZarinpalPayment) => void) | null = null;

  private constructor(private readonly options: ZarinpalEmulatorOptions) {}

  static async start(options: ZarinpalEmulatorOptions = {}): Promise<ZarinpalEmulator> {
    const e = new ZarinpalEmulator(options);
    await e.listen();
    return e;
  }

  get url(): string {
    const a = this.server!.address() as AddressInfo;
    return `http://${this.options.host ?? '127.0.0.1'}:${a.port}`;
  }

  /** A merchant id the emulator accepts (any other gets -10). Returns it. */
  addMerchant(merchantId: string): string {
    this.merchants.add(merchantId.toLowerCase());
    return merchantId;
  }

  payments(): EmulatedZarinpalPayment[] {
    return [...this.byAuthority.values()];
  }

  payment(authority: string): EmulatedZarinpalPayment | undefined {
    return this.byAuthority.get(authority);
  }

  /**
   * The customer pays on the StartPay page (optionally another amount than asked: a mismatch). Returns the URL the
   * browser is sent back to (`callback_url?Authority=…&Status=OK`).
   */
  pay(authority: string, opts: { amount?: number } = {}): string {
    const p = this.must(authority);
    if (p.state === 'created') {
      p.state = 'paid';
      p.paidAmount = opts.amount ?? p.amount;
      p.cardPan = '502229******5995';
    }
    return this.callbackFor(p, 'OK');
  }

  /** The customer cancels on the StartPay page: the URL the browser is sent back to (`Status=NOK`). */
  cancel(authority: string): string {
    const p = this.must(authority);
    if (p.state === 'created') p.state = 'cancelled';
    return this.callbackFor(p, 'NOK');
  }

  /**
   * A slow gateway: API calls from now on get no answer until the returned function is called (`held` counts the
   * calls waiting). Tests show that nothing waits on the merchant's side meanwhile.
   */
  hold(): () => void {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.gate = gate;
    return () => {
      if (this.gate === gate) this.gate = null;
      release();
    };
  }

  /** API calls waiting on `hold`. */
  get held(): number {
    return this.waiting;
  }

  /** The next `n` API calls answer HTTP 500 without a result code (the gateway is down). */
  failNext(n = 1): void {
    this.failures = n;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = null;
  }

  // ---------- the protocol ----------

  private request(body: Record<string, unknown>): [number, Record<string, unknown>] {
    const merchant = String(body.merchant_id ?? '');
    const amount = body.amount;
    const currency = body.currency === undefined ? 'IRR' : body.currency;
    const problems: Record<string, string> = {};
    if (!MERCHANT.test(merchant)) problems.merchant_id = 'The merchant id must be 36 characters.';
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1000) {
      problems.amount = 'The amount must be an integer of at least 1000.';
    }
    if (currency !== 'IRR' && currency !== 'IRT') problems.currency = 'The currency must be IRR or IRT.';
    if (typeof body.callback_url !== 'string' || !/^https?:\/\//.test(body.callback_url)) {
      problems.callback_url = 'The callback url must be an http(s) URL.';
    }
    if (typeof body.description !== 'string' || !body.description) problems.description = 'A description is required.';
    if (Object.keys(problems).length) return this.error(ZP.VALIDATION, 'Validation error', problems);
    if (!this.merchants.has(merchant.toLowerCase())) return this.error(ZP.MERCHANT_INVALID, 'Terminal is not valid');
    const authority = `A${String(++this.seq).padStart(8, '0')}${String(randomInt(1e9)).padStart(9, '0')}`.padEnd(
      36,
      '0',
    );
    this.byAuthority.set(authority, {
      authority,
      merchantId: merchant.toLowerCase(),
      amount: amount as number,
      currency: currency as 'IRR' | 'IRT',
      description: body.description as string,
      callbackUrl: body.callback_url as string,
      state: 'created',
      paidAmount: null,
      refId: null,
      cardPan: null,
      createdAt: new Date(),
      verifyCount: 0,
    });
    return this.ok({ code: ZP.OK, message: 'Success', authority, fee_type: 'Merchant', fee: 0 });
  }

  private verify(body: Record<string, unknown>): [number, Record<string, unknown>] {
    const merchant = String(body.merchant_id ?? '').toLowerCase();
    const p = this.byAuthority.get(String(body.authority ?? ''));
    if (!p || p.merchantId !== merchant) return this.error(ZP.AUTHORITY_INVALID, 'Invalid authority');
    p.verifyCount++;
    if (p.state === 'created' || p.state === 'cancelled') return this.error(ZP.NOT_PAID, 'Session is not valid');
    if (body.amount !== p.amount || p.paidAmount !== p.amount) {
      return this.error(ZP.AMOUNT_MISMATCH, 'Session is not valid, amounts values is not the same');
    }
    const already = p.state === 'verified';
    if (!already) {
      p.state = 'verified';
      p.refId = randomInt(1e9, 2 ** 47);
      this.afterFirstVerify?.(p);
    }
    return this.ok({
      code: already ? ZP.ALREADY_VERIFIED : ZP.OK,
      message: already ? 'Verified' : 'Paid',
      card_hash: createHash('sha256')
        .update(p.cardPan ?? '')
        .digest('hex')
        .toUpperCase(),
      card_pan: p.cardPan,
      ref_id: p.refId,
      fee_type: 'Merchant',
      fee: 0,
    });
  }

  private unverified(body: Record<string, unknown>): [number, Record<string, unknown>] {
    const merchant = String(body.merchant_id ?? '').toLowerCase();
    if (!this.merchants.has(merchant)) return this.error(ZP.MERCHANT_INVALID, 'Terminal is not valid');
    const authorities = this.payments()
      .filter((p) => p.merchantId === merchant && p.state === 'paid')
      .map((p) => ({
        authority: p.authority,
        amount: p.paidAmount,
        callback_url: p.callbackUrl,
        referer: '',
        date: p.createdAt.toISOString().replace('T', ' ').slice(0, 19),
      }));
    return this.ok({ code: ZP.OK, message: 'Success', authorities });
  }

  private startPage(authority: string): string {
    const p = this.byAuthority.get(authority);
    if (!p) return '<!doctype html><title>Zarinpal</title><p>Unknown payment</p>';
    const ok = this.callbackFor(p, 'OK');
    return `<!doctype html><html><head><meta charset="utf-8"><title>Zarinpal (emulator)</title></head><body>
<p>Amount: ${p.amount} ${p.currency}</p>
<form method="post" action="/pg/StartPay/${authority}/pay"><button>Pay</button></form>
<form method="post" action="/pg/StartPay/${authority}/cancel"><button>Cancel</button></form>
<p hidden data-callback="${ok.replace(/"/g, '&quot;')}"></p></body></html>`;
  }

  // ---------- plumbing ----------

  private ok(data: Record<string, unknown>): [number, Record<string, unknown>] {
    return [200, { data, errors: [] }];
  }

  private error(
    code: number,
    message: string,
    validations: Record<string, string> = {},
  ): [number, Record<string, unknown>] {
    return [code === ZP.VALIDATION ? 422 : 400, { data: [], errors: { code, message, validations: [validations] } }];
  }

  private must(authority: string): EmulatedZarinpalPayment {
    const p = this.byAuthority.get(authority);
    if (!p) throw new Error(`No Zarinpal payment ${authority}`);
    return p;
  }

  private callbackFor(p: EmulatedZarinpalPayment, status: 'OK' | 'NOK'): string {
    const u = new URL(p.callbackUrl);
    u.searchParams.set('Authority', p.authority);
    u.searchParams.set('Status', status);
    return u.toString();
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) =>
      this.server!.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    const raw = await readBody(req);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const api = /^\/pg\/v4\/payment\/(request|verify|unVerified)\.json$/.exec(path);
    if (api && req.method === 'POST') {
      if (this.gate) {
        this.waiting++;
        await this.gate;
        this.waiting--;
      }
      if (this.failures > 0) {
        this.failures--;
        this.calls.push({ path, body: {}, code: null });
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<h1>Internal Server Error</h1>');
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return json(...this.error(ZP.VALIDATION, 'Invalid JSON'));
      }
      const [status, answer] =
        api[1] === 'request' ? this.request(body) : api[1] === 'verify' ? this.verify(body) : this.unverified(body);
      const data = answer.data as { code?: number };
      const errors = answer.errors as { code?: number };
      this.calls.push({ path, body, code: data.code ?? errors.code ?? null });
      return json(status, answer);
    }
    const start = /^\/pg\/StartPay\/([A-Za-z0-9]{1,64})(?:\/(pay|cancel))?$/.exec(path);
    if (start) {
      const [, authority, action] = start;
      if (!action && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(this.startPage(authority));
        return;
      }
      if (action && req.method === 'POST' && this.byAuthority.has(authority)) {
        res.writeHead(302, { location: action === 'pay' ? this.pay(authority) : this.cancel(authority) });
        res.end();
        return;
      }
      return json(404, { error: 'unknown payment' });
    }
    // Control API for tests in another process.
    if (path.startsWith('/__control/') && req.method === 'POST') {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      switch (path) {
        case '/__control/merchant':
          return json(200, { merchantId: this.addMerchant(String(body.merchantId)) });
        case '/__control/pay':
          return json(200, {
            callbackUrl: this.pay(String(body.authority), { amount: body.amount as number | undefined }),
          });
        case '/__control/cancel':
          return json(200, { callbackUrl: this.cancel(String(body.authority)) });
        case '/__control/fail':
          this.failNext(Number(body.count ?? 1));
          return json(200, { ok: true });
      }
    }
    if (path === '/__control/payments' && req.method === 'GET') return json(200, this.payments());
    json(404, { error: 'not found' });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
