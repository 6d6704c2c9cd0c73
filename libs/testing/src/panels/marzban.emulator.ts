import { randomBytes, randomUUID } from 'node:crypto';

import type { Request, Response } from 'express';

import {
  PanelEmulator,
  type AccountSeed,
  type EmulatedAccount,
  type PanelEmulatorOptions,
} from './panel-emulator.base';

/**
 * Marzban v0.8 API: OAuth2 password-form login issuing a JWT bearer token with an expiry, FastAPI
 * `{ detail }` errors (422 with a list for validation), users under `/api/user/{username}`.
 */

export interface MarzbanEmulatorOptions extends PanelEmulatorOptions {
  username?: string;
  password?: string;
  /** Token lifetime; Marzban's default ACCESS_TOKEN_EXPIRE_MINUTES is 1440. */
  tokenTtlMs?: number;
  /** Inbound tags per protocol configured in the panel's Xray config. */
  inbounds?: Record<string, string[]>;
  /** XRAY_SUBSCRIPTION_URL_PREFIX; empty (the default) makes subscription_url relative, as in Marzban. */
  subscriptionUrlPrefix?: string;
}

type StoredStatus = 'active' | 'disabled' | 'on_hold';

interface MarzbanUserRecord {
  username: string;
  proxies: Record<string, Record<string, unknown>>;
  inbounds: Record<string, string[]>;
  expire: number | null;
  dataLimit: number | null;
  dataLimitResetStrategy: string;
  status: StoredStatus;
  note: string | null;
  usedTraffic: number;
  lifetimeUsedTraffic: number;
  createdAt: Date;
  subToken: string;
}

// The strictest Marzban rule (single underscores between alphanumerics); newer builds accept more.
const USERNAME_RE = /^(?=\w{3,32}$)[a-zA-Z0-9]+(?:_[a-zA-Z0-9]+)*$/;
const PROTOCOLS = ['vmess', 'vless', 'trojan', 'shadowsocks'];
const RESET_STRATEGIES = ['no_reset', 'day', 'week', 'month', 'year'];

interface FieldError {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export class MarzbanEmulator extends PanelEmulator {
  readonly type = 'marzban' as const;
  private readonly adminUsername: string;
  private adminPassword: string;
  private readonly tokenTtlMs: number;
  private readonly inboundTags: Record<string, string[]>;
  private readonly subscriptionPrefix: string;
  private readonly tokens = new Map<string, number>();
  private readonly users = new Map<string, MarzbanUserRecord>();

  constructor(options: MarzbanEmulatorOptions = {}) {
    super(options);
    this.adminUsername = options.username ?? 'admin';
    this.adminPassword = options.password ?? 'marzban-emulator-password';
    this.tokenTtlMs = options.tokenTtlMs ?? 24 * 3_600_000;
    this.inboundTags = options.inbounds ?? { vless: ['VLESS TCP REALITY'], vmess: ['VMess TCP'] };
    this.subscriptionPrefix = options.subscriptionUrlPrefix ?? '';

    this.route('post', '/api/admin/token', (req, res) => this.token(req, res));
    this.route('get', '/api/admin', (req, res) => {
      if (!this.authorized(req, res)) return;
      res.json({ username: this.adminUsername, is_sudo: true, telegram_id: null, discord_webhook: null });
    });
    this.route('post', '/api/user', (req, res) => this.create(req, res));
    this.route('get', '/api/user/:username', (req, res) => {
      if (!this.authorized(req, res)) return;
      const user = this.users.get(String(req.params.username));
      if (!user) return notFound(res);
      res.json(this.view(user));
    });
    this.route('put', '/api/user/:username', (req, res) => this.modify(req, res));
    this.route('delete', '/api/user/:username', (req, res) => {
      if (!this.authorized(req, res)) return;
      const user = this.users.get(String(req.params.username));
      if (!user) return notFound(res);
      this.users.delete(user.username);
      res.json({});
    });
    this.route('get', '/sub/:token', (req, res) => {
      const user = [...this.users.values()].find((u) => u.subToken === req.params.token);
      if (!user) {
        res.status(404).json({ detail: 'Not Found' });
        return;
      }
      const links = Object.keys(user.proxies).map((p) => `${p}://${randomUUID()}@127.0.0.1:443#${user.username}`);
      res.type('text/plain').send(Buffer.from(links.join('\n')).toString('base64'));
    });
    this.finishRoutes((_req, res) => {
      res.status(404).json({ detail: 'Not Found' });
    });
  }

  /** Every token issued so far is refused from now on; logging in again works. */
  expireAuthNow(): void {
    this.tokens.clear();
  }

  /** Changes the admin password, as an operator would in the panel. */
  setPassword(password: string): void {
    this.adminPassword = password;
  }

  accounts(): EmulatedAccount[] {
    return [...this.users.values()].map((u) => ({
      username: u.username,
      externalId: u.username,
      enabled: u.status !== 'disabled',
      expireAt: u.expire ? new Date(u.expire * 1000) : null,
      trafficLimitBytes: u.dataLimit ?? 0,
      usedTrafficBytes: u.usedTraffic,
      deviceLimit: null,
      telegramId: null,
      note: u.note,
      subscriptionUrl: this.absoluteSubscriptionUrl(u),
    }));
  }

  rawUser(username: string): Readonly<MarzbanUserRecord> | undefined {
    return this.users.get(username);
  }

  seedAccount(seed: AccountSeed): EmulatedAccount {
    const expireAt = seed.expireAt === undefined ? new Date(Date.now() + 30 * 86_400_000) : seed.expireAt;
    this.insert({
      username: seed.username,
      proxies: { vless: { id: randomUUID(), flow: '' } },
      inbounds: { vless: this.inboundTags.vless ?? [] },
      expire: expireAt ? Math.floor(expireAt.getTime() / 1000) : null,
      dataLimit: seed.trafficLimitBytes ?? null,
      status: seed.enabled === false ? 'disabled' : 'active',
      note: seed.note ?? null,
      usedTraffic: seed.usedTrafficBytes ?? 0,
    });
    return this.account(seed.username) as EmulatedAccount;
  }

  setUsedTraffic(username: string, bytes: number): void {
    const user = this.users.get(username);
    if (!user) throw new Error(`no account ${username}`);
    user.usedTraffic = bytes;
    user.lifetimeUsedTraffic = Math.max(user.lifetimeUsedTraffic, bytes);
  }

  clearAccounts(): void {
    this.users.clear();
  }

  // ---- handlers -----------------------------------------------------------------------------------

  private token(req: Request, res: Response): void {
    this.countLogin();
    // OAuth2PasswordRequestForm: form fields only; JSON leaves them missing (422).
    const body: Record<string, unknown> =
      req.is('application/x-www-form-urlencoded') && isObject(req.body) ? req.body : {};
    const missing: FieldError[] = ['username', 'password']
      .filter((k) => typeof body[k] !== 'string' || body[k] === '')
      .map((k) => ({ loc: ['body', k], msg: 'field required', type: 'value_error.missing' }));
    if (missing.length > 0) {
      res.status(422).json({ detail: missing });
      return;
    }
    if (body.username !== this.adminUsername || body.password !== this.adminPassword) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ detail: 'Incorrect username or password' });
      return;
    }
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = Date.now() + this.tokenTtlMs;
    const token = [
      b64url({ alg: 'HS256', typ: 'JWT' }),
      b64url({ sub: this.adminUsername, access: 'sudo', iat: issuedAt, exp: Math.floor(expiresAt / 1000) }),
      randomBytes(32).toString('base64url'),
    ].join('.');
    this.tokens.set(token, expiresAt);
    res.json({ access_token: token, token_type: 'bearer' });
  }

  private create(req: Request, res: Response): void {
    if (!this.authorized(req, res)) return;
    const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
    const errors = this.validate(body, 'create');
    if (errors.length > 0) return unprocessable(res, errors);
    const username = body.username as string;
    const proxies = body.proxies as Record<string, Record<string, unknown>>;
    for (const protocol of Object.keys(proxies)) {
      if (!this.inboundTags[protocol]?.length) {
        res.status(400).json({ detail: `Protocol ${protocol} is disabled on your server` });
        return;
      }
    }
    if (this.users.has(username)) {
      res.status(409).json({ detail: 'User already exists' });
      return;
    }
    const requested = isObject(body.inbounds) ? (body.inbounds as Record<string, string[]>) : {};
    const inbounds = Object.fromEntries(
      Object.keys(proxies).map((p) => [p, requested[p]?.length ? requested[p] : (this.inboundTags[p] ?? [])]),
    );
    const user = this.insert({
      username,
      proxies: Object.fromEntries(Object.entries(proxies).map(([p, s]) => [p, { id: randomUUID(), ...s }])),
      inbounds,
      expire: nullableInt(body.expire),
      dataLimit: nullableInt(body.data_limit),
      dataLimitResetStrategy: (body.data_limit_reset_strategy as string | undefined) ?? 'no_reset',
      status: (body.status as StoredStatus | undefined) ?? 'active',
      note: (body.note as string | undefined) ?? null,
    });
    if (this.loseCreateAnswer(req)) return;
    res.json(this.view(user));
  }

  private modify(req: Request, res: Response): void {
    if (!this.authorized(req, res)) return;
    const user = this.users.get(String(req.params.username));
    if (!user) return notFound(res);
    const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
    const errors = this.validate(body, 'modify');
    if (errors.length > 0) return unprocessable(res, errors);
    // Omitted or null means "no change"; 0 means unlimited.
    if (body.expire !== undefined && body.expire !== null) user.expire = nullableInt(body.expire);
    if (body.data_limit !== undefined && body.data_limit !== null) user.dataLimit = nullableInt(body.data_limit);
    if (typeof body.data_limit_reset_strategy === 'string')
      user.dataLimitResetStrategy = body.data_limit_reset_strategy;
    if (typeof body.status === 'string') user.status = body.status as StoredStatus;
    if (typeof body.note === 'string') user.note = body.note;
    if (isObject(body.proxies) && Object.keys(body.proxies).length > 0) {
      user.proxies = body.proxies as Record<string, Record<string, unknown>>;
    }
    if (isObject(body.inbounds) && Object.keys(body.inbounds).length > 0) {
      user.inbounds = body.inbounds as Record<string, string[]>;
    }
    res.json(this.view(user));
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private authorized(req: Request, res: Response): boolean {
    const match = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    const expiresAt = match ? this.tokens.get(match[1]) : undefined;
    if (expiresAt !== undefined && expiresAt > Date.now()) return true;
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ detail: 'Could not validate credentials' });
    return false;
  }

  private validate(body: Record<string, unknown>, kind: 'create' | 'modify'): FieldError[] {
    const errors: FieldError[] = [];
    const add = (field: string, msg: string) => errors.push({ loc: ['body', field], msg, type: 'value_error' });
    if (kind === 'create') {
      if (typeof body.username !== 'string') add('username', 'field required');
      else if (!USERNAME_RE.test(body.username)) {
        add('username', 'Username only can be 3 to 32 characters and contain a-z, 0-9, and underscores in between.');
      }
      if (!isObject(body.proxies) || Object.keys(body.proxies).length === 0)
        add('proxies', 'Each user needs at least one proxy');
    }
    if (body.proxies !== undefined) {
      if (!isObject(body.proxies) || !Object.keys(body.proxies).every((p) => PROTOCOLS.includes(p))) {
        add('proxies', 'unknown proxy type');
      }
    }
    if (body.inbounds !== undefined && isObject(body.inbounds)) {
      for (const [protocol, tags] of Object.entries(body.inbounds)) {
        if (!Array.isArray(tags) || tags.length === 0) add('inbounds', `${protocol} inbounds cannot be empty`);
        else {
          for (const tag of tags) {
            if (!Object.values(this.inboundTags).some((list) => list.includes(String(tag)))) {
              add('inbounds', `Inbound ${String(tag)} doesn't exist`);
            }
          }
        }
      }
    }
    for (const key of ['expire', 'data_limit']) {
      const value = body[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'number' || !Number.isInteger(value)) add(key, 'value is not a valid integer');
      else if (key === 'data_limit' && value < 0) add(key, 'data_limit can be 0 or greater');
    }
    if (
      body.data_limit_reset_strategy !== undefined &&
      !RESET_STRATEGIES.includes(String(body.data_limit_reset_strategy))
    ) {
      add('data_limit_reset_strategy', 'value is not a valid enumeration member');
    }
    const statuses = kind === 'create' ? ['active', 'on_hold'] : ['active', 'disabled', 'on_hold'];
    if (body.status !== undefined && body.status !== null && !statuses.includes(String(body.status))) {
      add('status', 'value is not a valid enumeration member');
    }
    if (body.note !== undefined && body.note !== null && typeof body.note !== 'string')
      add('note', 'str type expected');
    return errors;
  }

  private insert(fields: Partial<MarzbanUserRecord> & { username: string }): MarzbanUserRecord {
    const user: MarzbanUserRecord = {
      proxies: {},
      inbounds: {},
      expire: null,
      dataLimit: null,
      dataLimitResetStrategy: 'no_reset',
      status: 'active',
      note: null,
      usedTraffic: 0,
      lifetimeUsedTraffic: 0,
      createdAt: new Date(),
      subToken: randomBytes(24).toString('base64url'),
      ...fields,
    };
    this.users.set(user.username, user);
    return user;
  }

  /** Marzban stores active/disabled/on_hold and its jobs mark expired/limited; computing it is equivalent. */
  private status(user: MarzbanUserRecord): string {
    if (user.status !== 'active') return user.status;
    if (user.expire && user.expire * 1000 <= Date.now()) return 'expired';
    if (user.dataLimit && user.usedTraffic >= user.dataLimit) return 'limited';
    return 'active';
  }

  private subscriptionPath(user: MarzbanUserRecord): string {
    return `${this.subscriptionPrefix}/sub/${user.subToken}`;
  }

  private absoluteSubscriptionUrl(user: MarzbanUserRecord): string {
    const path = this.subscriptionPath(user);
    return /^https?:\/\//.test(path) ? path : `${this.url}${path}`;
  }

  private view(user: MarzbanUserRecord): Record<string, unknown> {
    return {
      username: user.username,
      proxies: user.proxies,
      expire: user.expire,
      data_limit: user.dataLimit,
      data_limit_reset_strategy: user.dataLimitResetStrategy,
      inbounds: user.inbounds,
      note: user.note,
      sub_updated_at: null,
      sub_last_user_agent: null,
      online_at: null,
      on_hold_expire_duration: null,
      on_hold_timeout: null,
      auto_delete_in_days: null,
      status: this.status(user),
      used_traffic: user.usedTraffic,
      lifetime_used_traffic: user.lifetimeUsedTraffic,
      created_at: user.createdAt.toISOString().replace('Z', ''),
      links: Object.keys(user.proxies).map((p) => `${p}://${user.username}@127.0.0.1:443`),
      subscription_url: this.subscriptionPath(user),
      excluded_inbounds: {},
      admin: { username: this.adminUsername, is_sudo: true },
    };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nullableInt(value: unknown): number | null {
  // 0 is Marzban's "unlimited", stored as null.
  return typeof value === 'number' && value > 0 ? value : null;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function notFound(res: Response): void {
  res.status(404).json({ detail: 'User not found' });
}

function unprocessable(res: Response, errors: FieldError[]): void {
  res.status(422).json({ detail: errors });
}
