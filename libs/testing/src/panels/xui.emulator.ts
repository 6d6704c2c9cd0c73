import { randomBytes, randomUUID } from 'node:crypto';

import type { Request, Response } from 'express';

import {
  PanelEmulator,
  randomToken,
  type AccountSeed,
  type EmulatedAccount,
  type PanelEmulatorOptions,
} from './panel-emulator.base';

/**
 * 3x-ui v2.x API: form login setting a `3x-ui` session cookie with a Max-Age, `/panel/api/*` hidden behind
 * 404 without a session (401 for XHR), every answer `{ success, msg, obj }` with HTTP 200, clients kept
 * as a JSON string inside each inbound's `settings`, counters in a separate ClientTraffic table.
 */

export interface XuiInboundSeed {
  id: number;
  protocol: 'vless' | 'vmess' | 'trojan' | 'shadowsocks';
  port: number;
  remark?: string;
}

export interface XuiEmulatorOptions extends PanelEmulatorOptions {
  username?: string;
  password?: string;
  /** Session cookie lifetime (the panel's sessionMaxAge); default 60 minutes. */
  sessionTtlMs?: number;
  inbounds?: XuiInboundSeed[];
  /** Where subscription links point; default `<emulator url>/sub/` served by the emulator. */
  subscriptionBaseUrl?: string;
  /**
   * Refuse to delete an inbound's last client ("no client remained in Inbound"), as 3x-ui 2.x does.
   * Default true.
   */
  refuseDeletingLastClient?: boolean;
}

type Client = Record<string, unknown>;

interface InboundRecord {
  id: number;
  protocol: string;
  port: number;
  remark: string;
  enable: boolean;
  clients: Client[];
}

interface TrafficRecord {
  id: number;
  inboundId: number;
  email: string;
  up: number;
  down: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COOKIE = '3x-ui';
const WENT_WRONG = 'Something went wrong';

export class XuiEmulator extends PanelEmulator {
  readonly type = 'xui' as const;
  private readonly adminUsername: string;
  private adminPassword: string;
  private readonly sessionTtlMs: number;
  private readonly subscriptionBase?: string;
  private readonly refuseLastDelete: boolean;
  private readonly sessions = new Map<string, number>();
  private readonly inbounds = new Map<number, InboundRecord>();
  private readonly traffic = new Map<string, TrafficRecord>();
  private nextTrafficId = 1;

  constructor(options: XuiEmulatorOptions = {}) {
    super(options);
    this.adminUsername = options.username ?? 'admin';
    this.adminPassword = options.password ?? 'xui-emulator-password';
    this.sessionTtlMs = options.sessionTtlMs ?? 3_600_000;
    this.subscriptionBase = options.subscriptionBaseUrl;
    this.refuseLastDelete = options.refuseDeletingLastClient ?? true;
    for (const seed of options.inbounds ?? [{ id: 1, protocol: 'vless', port: 443, remark: 'botfleet' }]) {
      this.inbounds.set(seed.id, {
        id: seed.id,
        protocol: seed.protocol,
        port: seed.port,
        remark: seed.remark ?? `inbound-${seed.port}`,
        enable: true,
        clients: [],
      });
    }

    // The panel's periodic job switches off expired and depleted clients; running it before every request
    // gives the same picture without timers.
    this.app.use((_req, _res, next) => {
      this.disableInvalidClients();
      next();
    });
    this.route('post', '/login', (req, res) => this.login(req, res));
    this.route('get', '/panel/api/inbounds/list', (req, res) => {
      if (!this.authorized(req, res)) return;
      ok(
        res,
        '',
        [...this.inbounds.values()].map((i) => this.inboundView(i)),
      );
    });
    this.route('get', '/panel/api/inbounds/get/:id', (req, res) => {
      if (!this.authorized(req, res)) return;
      const inbound = this.inbounds.get(Number(req.params.id));
      if (!inbound) return fail(res, `Obtain Failed (record not found)`);
      ok(res, '', this.inboundView(inbound));
    });
    this.route('get', '/panel/api/inbounds/getClientTraffics/:email', (req, res) => {
      if (!this.authorized(req, res)) return;
      const email = String(req.params.email);
      const row = this.traffic.get(email.toLowerCase());
      const found = row ? this.findClient(row.email) : undefined;
      ok(res, '', row && found ? this.trafficView(row, found.client) : null);
    });
    this.route('post', '/panel/api/inbounds/addClient', (req, res) => this.addClient(req, res));
    this.route('post', '/panel/api/inbounds/updateClient/:clientId', (req, res) => this.updateClient(req, res));
    this.route('post', '/panel/api/inbounds/:id/delClient/:clientId', (req, res) => this.delClient(req, res));
    this.route('get', '/sub/:subId', (req, res) => {
      const found = [...this.inbounds.values()]
        .flatMap((i) => i.clients.map((c) => ({ inbound: i, client: c })))
        .filter(({ client }) => client.subId === req.params.subId && client.enable === true);
      if (found.length === 0) {
        res.status(400).send('Error!');
        return;
      }
      const links = found.map(
        ({ inbound, client }) =>
          `${inbound.protocol}://${String(client.id)}@127.0.0.1:${inbound.port}#${String(client.email)}`,
      );
      res.type('text/plain').send(Buffer.from(links.join('\n')).toString('base64'));
    });
    this.finishRoutes((_req, res) => {
      res.status(404).send('404 page not found');
    });
  }

  /** Every session issued so far is refused from now on; logging in again works. */
  expireAuthNow(): void {
    this.sessions.clear();
  }

  setPassword(password: string): void {
    this.adminPassword = password;
  }

  accounts(): EmulatedAccount[] {
    const out: EmulatedAccount[] = [];
    for (const inbound of this.inbounds.values()) {
      for (const client of inbound.clients) {
        const email = String(client.email);
        const row = this.traffic.get(email.toLowerCase());
        const expiry = num(client.expiryTime);
        out.push({
          username: email,
          externalId: String(inbound.protocol === 'trojan' ? client.password : client.id),
          enabled: client.enable === true,
          expireAt: expiry > 0 ? new Date(expiry) : null,
          trafficLimitBytes: num(client.totalGB),
          usedTrafficBytes: row ? row.up + row.down : 0,
          deviceLimit: num(client.limitIp),
          telegramId: num(client.tgId) || null,
          note: typeof client.comment === 'string' && client.comment !== '' ? client.comment : null,
          subscriptionUrl: `${this.subscriptionBase ?? `${this.url}/sub/`}${String(client.subId)}`,
        });
      }
    }
    return out;
  }

  /** The raw client entry and the inbound it sits in. */
  rawClient(email: string): { inboundId: number; client: Readonly<Client> } | undefined {
    const found = this.findClient(email);
    return found ? { inboundId: found.inbound.id, client: found.client } : undefined;
  }

  seedAccount(seed: AccountSeed & { inboundId?: number }): EmulatedAccount {
    const inbound = this.inbounds.get(seed.inboundId ?? [...this.inbounds.keys()][0]);
    if (!inbound) throw new Error('no inbound to seed into');
    const expireAt = seed.expireAt === undefined ? new Date(Date.now() + 30 * 86_400_000) : seed.expireAt;
    const client: Client = {
      id: randomUUID(),
      flow: '',
      email: seed.username,
      limitIp: seed.deviceLimit ?? 0,
      totalGB: seed.trafficLimitBytes ?? 0,
      expiryTime: expireAt ? expireAt.getTime() : 0,
      enable: seed.enabled ?? true,
      tgId: seed.telegramId ?? 0,
      subId: randomToken(16),
      comment: seed.note ?? '',
      reset: 0,
      ...(inbound.protocol === 'trojan' ? { password: randomBytes(8).toString('hex') } : {}),
    };
    inbound.clients.push(client);
    this.traffic.set(seed.username.toLowerCase(), {
      id: this.nextTrafficId++,
      inboundId: inbound.id,
      email: seed.username,
      up: 0,
      down: seed.usedTrafficBytes ?? 0,
    });
    return this.account(seed.username) as EmulatedAccount;
  }

  setUsedTraffic(username: string, bytes: number): void {
    const row = this.traffic.get(username.toLowerCase());
    if (!row) throw new Error(`no account ${username}`);
    row.up = Math.floor(bytes / 4);
    row.down = bytes - row.up;
  }

  clearAccounts(): void {
    for (const inbound of this.inbounds.values()) inbound.clients = [];
    this.traffic.clear();
  }

  // ---- handlers -----------------------------------------------------------------------------------

  private login(req: Request, res: Response): void {
    this.countLogin();
    const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
    if (typeof body.username !== 'string' || body.username === '') return fail(res, 'Please enter the username', true);
    if (typeof body.password !== 'string' || body.password === '') return fail(res, 'Please enter the password', true);
    if (body.username !== this.adminUsername || body.password !== this.adminPassword) {
      return fail(res, 'Wrong username or password', true);
    }
    const sid = randomBytes(24).toString('base64url');
    this.sessions.set(sid, Date.now() + this.sessionTtlMs);
    res.cookie(COOKIE, sid, { path: '/', maxAge: this.sessionTtlMs, httpOnly: true, sameSite: 'lax' });
    res.json({ success: true, msg: 'Logged in successfully', obj: null });
  }

  private addClient(req: Request, res: Response): void {
    if (!this.authorized(req, res)) return;
    const parsed = this.readBody(req);
    if (typeof parsed === 'string') return fail(res, `${WENT_WRONG} (${parsed})`);
    const { inbound, clients } = parsed;
    for (const client of clients) {
      const problem = this.clientProblem(inbound, client);
      if (problem) return fail(res, `${WENT_WRONG} (${problem})`);
    }
    const emails = clients.map((c) => String(c.email).toLowerCase());
    const taken = emails.find((e, i) => this.traffic.has(e) || emails.indexOf(e) !== i);
    if (taken) return fail(res, `${WENT_WRONG} (Duplicate email: ${taken})`);
    for (const client of clients) {
      const now = Date.now();
      const subId = typeof client.subId === 'string' && client.subId.trim() !== '' ? client.subId : randomToken(16);
      inbound.clients.push({ ...client, subId, created_at: now, updated_at: now });
      this.traffic.set(String(client.email).toLowerCase(), {
        id: this.nextTrafficId++,
        inboundId: inbound.id,
        email: String(client.email),
        up: 0,
        down: 0,
      });
    }
    if (this.loseCreateAnswer(req)) return;
    ok(res, 'Client(s) added successfully', null);
  }

  private updateClient(req: Request, res: Response): void {
    if (!this.authorized(req, res)) return;
    const parsed = this.readBody(req);
    if (typeof parsed === 'string') return fail(res, `${WENT_WRONG} (${parsed})`);
    const { inbound, clients } = parsed;
    if (clients.length === 0) return fail(res, `${WENT_WRONG} (No client data provided)`);
    const next = clients[0];
    const clientId = String(req.params.clientId);
    const index = inbound.clients.findIndex((c) => clientKey(inbound, c) === clientId);
    if (index < 0) return fail(res, `${WENT_WRONG} (Client Not Found In Inbound For ID: ${clientId})`);
    const problem = this.clientProblem(inbound, next);
    if (problem) return fail(res, `${WENT_WRONG} (${problem})`);
    const old = inbound.clients[index];
    const oldEmail = String(old.email).toLowerCase();
    const newEmail = String(next.email).toLowerCase();
    if (newEmail !== oldEmail && this.traffic.has(newEmail)) {
      return fail(res, `${WENT_WRONG} (Duplicate email: ${String(next.email)})`);
    }
    inbound.clients[index] = { ...next, created_at: old.created_at, updated_at: Date.now() };
    if (newEmail !== oldEmail) {
      const row = this.traffic.get(oldEmail);
      this.traffic.delete(oldEmail);
      if (row) this.traffic.set(newEmail, { ...row, email: String(next.email) });
    }
    ok(res, 'Client updated successfully', null);
  }

  private delClient(req: Request, res: Response): void {
    if (!this.authorized(req, res)) return;
    const inbound = this.inbounds.get(Number(req.params.id));
    if (!inbound) return fail(res, `${WENT_WRONG} (record not found)`);
    const clientId = String(req.params.clientId);
    const index = inbound.clients.findIndex((c) => clientKey(inbound, c) === clientId);
    if (index < 0) return fail(res, `${WENT_WRONG} (Client Not Found In Inbound For ID: ${clientId})`);
    if (this.refuseLastDelete && inbound.clients.length <= 1) {
      return fail(res, `${WENT_WRONG} (no client remained in Inbound)`);
    }
    const [removed] = inbound.clients.splice(index, 1);
    this.traffic.delete(String(removed.email).toLowerCase());
    ok(res, 'Client deleted successfully', null);
  }

  // ---- helpers ------------------------------------------------------------------------------------

  /** 3x-ui hides its API from callers without a session: 404, or 401 for XHR requests. */
  private authorized(req: Request, res: Response): boolean {
    const sid = parseCookies(req.get('cookie') ?? '')[COOKIE];
    const expiresAt = sid ? this.sessions.get(sid) : undefined;
    if (expiresAt !== undefined && expiresAt > Date.now()) return true;
    res.status(req.get('x-requested-with') === 'XMLHttpRequest' ? 401 : 404).end();
    return false;
  }

  /** `{ id, settings }` as JSON or form, `settings` a JSON string with `clients`; a string is the error. */
  private readBody(req: Request): { inbound: InboundRecord; clients: Client[] } | string {
    const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
    const inbound = this.inbounds.get(Number(body.id));
    if (!inbound) return 'record not found';
    if (typeof body.settings !== 'string') return 'json: cannot unmarshal settings';
    let settings: unknown;
    try {
      settings = JSON.parse(body.settings);
    } catch {
      return 'invalid character in settings';
    }
    const clients = isObject(settings) && Array.isArray(settings.clients) ? settings.clients : undefined;
    if (!clients || !clients.every(isObject)) return 'json: cannot unmarshal clients';
    return { inbound, clients };
  }

  private clientProblem(inbound: InboundRecord, client: Client): string | undefined {
    if (typeof client.email !== 'string' || client.email.trim() === '') return 'client email is required';
    if (inbound.protocol === 'trojan') {
      if (typeof client.password !== 'string' || client.password === '') return 'empty client ID';
    } else if (inbound.protocol !== 'shadowsocks') {
      if (typeof client.id !== 'string' || !UUID_RE.test(client.id)) return 'empty client ID';
    }
    for (const key of ['totalGB', 'expiryTime', 'limitIp', 'tgId', 'reset']) {
      if (client[key] !== undefined && (typeof client[key] !== 'number' || !Number.isInteger(client[key]))) {
        return `json: cannot unmarshal ${typeof client[key]} into Go struct field Client.${key}`;
      }
    }
    if (client.enable !== undefined && typeof client.enable !== 'boolean') {
      return 'json: cannot unmarshal enable into Go struct field Client.enable of type bool';
    }
    if (num(client.totalGB) < 0 || num(client.limitIp) < 0) return 'invalid client limits';
    return undefined;
  }

  private findClient(email: string): { inbound: InboundRecord; client: Client } | undefined {
    for (const inbound of this.inbounds.values()) {
      const client = inbound.clients.find((c) => String(c.email).toLowerCase() === email.toLowerCase());
      if (client) return { inbound, client };
    }
    return undefined;
  }

  private disableInvalidClients(): void {
    const now = Date.now();
    for (const inbound of this.inbounds.values()) {
      for (const client of inbound.clients) {
        if (client.enable !== true) continue;
        const expiry = num(client.expiryTime);
        const row = this.traffic.get(String(client.email).toLowerCase());
        const total = num(client.totalGB);
        const used = row ? row.up + row.down : 0;
        if ((expiry > 0 && expiry <= now) || (total > 0 && used >= total)) client.enable = false;
      }
    }
  }

  private inboundView(inbound: InboundRecord): Record<string, unknown> {
    return {
      id: inbound.id,
      up: 0,
      down: 0,
      total: 0,
      remark: inbound.remark,
      enable: inbound.enable,
      expiryTime: 0,
      clientStats: inbound.clients.map((c) => {
        const row = this.traffic.get(String(c.email).toLowerCase());
        return row ? this.trafficView(row, c) : null;
      }),
      listen: '',
      port: inbound.port,
      protocol: inbound.protocol,
      settings: JSON.stringify({ clients: inbound.clients, decryption: 'none', fallbacks: [] }, null, 2),
      streamSettings: JSON.stringify({ network: 'tcp', security: 'reality' }),
      tag: `inbound-${inbound.port}`,
      sniffing: JSON.stringify({ enabled: false }),
    };
  }

  private trafficView(row: TrafficRecord, client: Client): Record<string, unknown> {
    return {
      id: row.id,
      inboundId: row.inboundId,
      enable: client.enable === true,
      email: row.email,
      uuid: String(client.id ?? ''),
      subId: String(client.subId ?? ''),
      up: row.up,
      down: row.down,
      allTime: row.up + row.down,
      expiryTime: num(client.expiryTime),
      total: num(client.totalGB),
      reset: num(client.reset),
      lastOnline: 0,
    };
  }
}

function clientKey(inbound: InboundRecord, client: Client): string {
  if (inbound.protocol === 'trojan') return String(client.password);
  if (inbound.protocol === 'shadowsocks') return String(client.email);
  return String(client.id);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function parseCookies(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0) out[part.slice(0, index).trim()] = part.slice(index + 1).trim();
  }
  return out;
}

function ok(res: Response, msg: string, obj: unknown): void {
  res.json({ success: true, msg, obj });
}

/** 3x-ui reports failures with HTTP 200; login failures carry no `obj`. */
function fail(res: Response, msg: string, withoutObj = false): void {
  res.json(withoutObj ? { success: false, msg } : { success: false, msg, obj: null });
}
