import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import express, { type Express, type NextFunction, type Request, type Response } from 'express';

export type PanelEmulatorType = 'remnawave' | 'marzban' | 'xui';

/** `refuse`: the port is closed (ECONNREFUSED); `503`: the process answers 503 to everything. */
export type DownMode = 'refuse' | '503';

/** A panel account in one shape for every emulator, for assertions. */
export interface EmulatedAccount {
  username: string;
  /** Remnawave user uuid, Marzban username, 3x-ui client id. */
  externalId: string;
  enabled: boolean;
  expireAt: Date | null;
  trafficLimitBytes: number;
  usedTrafficBytes: number;
  /** null where the panel has no such limit (Marzban). */
  deviceLimit: number | null;
  telegramId: number | null;
  note: string | null;
  /** Absolute link, as a client app would fetch it. */
  subscriptionUrl: string;
}

/** An account that already exists on the panel, e.g. made by a fulfilment attempt that crashed afterwards. */
export interface AccountSeed {
  username: string;
  expireAt?: Date | null;
  trafficLimitBytes?: number;
  usedTrafficBytes?: number;
  deviceLimit?: number;
  enabled?: boolean;
  telegramId?: number;
  note?: string;
}

export interface PanelEmulatorOptions {
  /** Default 127.0.0.1: emulators never listen beyond loopback. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Handler = (req: Request, res: Response) => void | Promise<void>;

/**
 * HTTP server, faults and counters shared by the panel emulators. Subclasses add the panel's routes with
 * `route()`, which counts each call as "METHOD /pattern" (e.g. `POST /api/users`).
 */
export abstract class PanelEmulator {
  abstract readonly type: PanelEmulatorType;
  protected readonly app: Express;
  private server?: Server;
  private readonly host: string;
  private port: number;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private downMode: DownMode | null = null;
  private slowMs = 0;
  private failures: { remaining: number; status: number } = { remaining: 0, status: 500 };
  private dropCreates = 0;
  private loginCount = 0;
  private readonly counts = new Map<string, number>();

  protected constructor(options: PanelEmulatorOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.app = express();
    this.app.disable('x-powered-by');
    this.app.use((req, res, next) => this.faultGate(req, res, next));
    this.app.use(express.json({ limit: '1mb' }));
    this.app.use(express.urlencoded({ extended: false }));
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. Valid after `start()`. */
  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  async start(): Promise<string> {
    await this.listen();
    return this.url;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.close();
  }

  // ---- faults -------------------------------------------------------------------------------------

  /** Takes the panel down until `up()`. */
  async down(mode: DownMode = 'refuse'): Promise<void> {
    this.downMode = mode;
    if (mode === 'refuse') await this.close();
  }

  async up(): Promise<void> {
    const wasRefusing = this.downMode === 'refuse';
    this.downMode = null;
    if (wasRefusing) await this.listen();
  }

  /** Delays every answer by `ms` (0 to stop). */
  slow(ms: number): void {
    this.slowMs = ms;
  }

  /** The next `count` requests, logins included, get `status` before reaching the panel logic. */
  fail5xxNext(count: number, status = 500): void {
    this.failures = { remaining: count, status };
  }

  /**
   * The next create request is carried out, then the connection is cut before the answer: the caller
   * cannot tell whether the account exists, exactly what a crash mid-fulfilment looks like.
   */
  dropNextCreateResponse(): void {
    this.dropCreates += 1;
  }

  /** Clears every fault. */
  async clearFaults(): Promise<void> {
    await this.up();
    this.slowMs = 0;
    this.failures = { remaining: 0, status: 500 };
    this.dropCreates = 0;
  }

  /**
   * The current authentication stops working: issued tokens or session cookies are refused from now on
   * (Marzban, 3x-ui), or the API key is revoked (Remnawave, where nothing can log in again).
   */
  abstract expireAuthNow(): void;

  // ---- counters -----------------------------------------------------------------------------------

  /** Successful and failed logins the panel processed. */
  get logins(): number {
    return this.loginCount;
  }

  /** How often the panel processed a route, e.g. `calls('POST /api/users')`. */
  calls(endpoint: string): number {
    return this.counts.get(endpoint) ?? 0;
  }

  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  totalCalls(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  resetCounters(): void {
    this.counts.clear();
    this.loginCount = 0;
  }

  // ---- accounts -----------------------------------------------------------------------------------

  abstract accounts(): EmulatedAccount[];

  account(username: string): EmulatedAccount | undefined {
    return this.accounts().find((a) => a.username === username);
  }

  accountCount(): number {
    return this.accounts().length;
  }

  abstract seedAccount(seed: AccountSeed): EmulatedAccount;

  /** Sets the traffic the account has used, as if the nodes had reported it. */
  abstract setUsedTraffic(username: string, bytes: number): void;

  /** Forgets every account. */
  abstract clearAccounts(): void;

  // ---- for subclasses -----------------------------------------------------------------------------

  protected route(method: Method, path: string, handler: Handler): void {
    const key = `${method.toUpperCase()} ${path}`;
    this.app[method](path, async (req: Request, res: Response) => {
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      await handler(req, res);
    });
  }

  protected countLogin(): void {
    this.loginCount += 1;
  }

  /** For create handlers, after the account exists: true when the answer must be lost (the socket is cut). */
  protected loseCreateAnswer(req: Request): boolean {
    if (this.dropCreates === 0) return false;
    this.dropCreates -= 1;
    req.socket.destroy();
    return true;
  }

  /** Installs the final 404 and error handlers; subclasses call it after adding routes. */
  protected finishRoutes(notFound: (req: Request, res: Response) => void): void {
    this.app.use(notFound);
    this.app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      const status =
        typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
      res
        .status(status)
        .json({ message: status === 500 ? 'Internal server error' : 'Bad request', statusCode: status });
    });
  }

  // ---- internals ----------------------------------------------------------------------------------

  private faultGate(req: Request, res: Response, next: NextFunction): void {
    if (this.downMode === '503') {
      res.status(503).type('text/html').send('<html><body>503 Service Unavailable</body></html>');
      return;
    }
    if (this.failures.remaining > 0) {
      this.failures.remaining -= 1;
      res.status(this.failures.status).json({ message: 'Internal server error', statusCode: this.failures.status });
      return;
    }
    if (this.slowMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        next();
      }, this.slowMs);
      this.timers.add(timer);
      return;
    }
    next();
  }

  private listen(): Promise<void> {
    if (this.server) return Promise.resolve();
    const server = createServer(this.app);
    // Longer than undici's keep-alive (4 s) so the client, not the server, closes idle sockets; otherwise a
    // request can race the server's close and fail with "other side closed".
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

  private close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.server = undefined;
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
  }
}

/** Random lowercase letters and digits, like the short ids the panels generate. */
export function randomToken(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}
