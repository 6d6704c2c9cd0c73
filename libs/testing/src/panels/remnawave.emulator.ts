import { randomUUID } from 'node:crypto';

import type { Request, Response } from 'express';

import {
  PanelEmulator,
  randomToken,
  type AccountSeed,
  type EmulatedAccount,
  type PanelEmulatorOptions,
} from './panel-emulator.base';

/**
 * Remnawave panel API 2.x (users controller of @remnawave/backend 2.1–2.3): API-token auth, `{ response }`
 * envelopes, `{ timestamp, path, message, errorCode }` errors, zod-style validation errors.
 */

export const REMNAWAVE_DEFAULT_SQUAD_UUID = '0b7a8a4e-9f0e-4d4c-9a51-5d1c1b6f2a10';

export interface RemnawaveEmulatorOptions extends PanelEmulatorOptions {
  apiKey?: string;
  /** Where subscription links point; default `<emulator url>/api/sub` (the panel's own route). */
  subscriptionBaseUrl?: string;
  internalSquads?: { uuid: string; name: string }[];
}

type StoredStatus = 'ACTIVE' | 'DISABLED';

interface RemnawaveUserRecord {
  uuid: string;
  id: number;
  shortUuid: string;
  username: string;
  status: StoredStatus;
  trafficLimitBytes: number;
  trafficLimitStrategy: string;
  expireAt: Date;
  telegramId: number | null;
  email: string | null;
  description: string | null;
  tag: string | null;
  hwidDeviceLimit: number | null;
  activeInternalSquads: string[];
  usedTrafficBytes: number;
  lifetimeUsedTrafficBytes: number;
  vlessUuid: string;
  trojanPassword: string;
  ssPassword: string;
  createdAt: Date;
  updatedAt: Date;
}

const USERNAME_RE = /^[a-zA-Z0-9_-]+$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STRATEGIES = ['NO_RESET', 'DAY', 'WEEK', 'MONTH'];
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

const ERRORS = {
  USERNAME_TAKEN: { code: 'A019', message: 'User username already exists', status: 400 },
  USER_NOT_FOUND: { code: 'A025', message: 'User not found', status: 404 },
  NOT_FOUND_BY: { code: 'A063', message: 'User with specified params not found', status: 404 },
  ALREADY_DISABLED: { code: 'A029', message: 'User already disabled', status: 400 },
  ALREADY_ENABLED: { code: 'A030', message: 'User already enabled', status: 400 },
} as const;

export class RemnawaveEmulator extends PanelEmulator {
  readonly type = 'remnawave' as const;
  private apiKey: string;
  private readonly subscriptionBase?: string;
  private readonly squads: { uuid: string; name: string }[];
  private readonly users = new Map<string, RemnawaveUserRecord>();
  private nextId = 1;

  constructor(options: RemnawaveEmulatorOptions = {}) {
    super(options);
    this.apiKey = options.apiKey ?? 'remnawave-emulator-api-key';
    this.subscriptionBase = options.subscriptionBaseUrl;
    this.squads = options.internalSquads ?? [{ uuid: REMNAWAVE_DEFAULT_SQUAD_UUID, name: 'Default-Squad' }];

    this.route('get', '/api/system/stats', (req, res) => {
      if (!this.authorized(req, res)) return;
      res.json({
        response: { users: { totalUsers: this.users.size }, uptime: process.uptime(), timestamp: Date.now() },
      });
    });
    this.route('post', '/api/users', (req, res) => this.create(req, res));
    this.route('patch', '/api/users', (req, res) => this.update(req, res));
    this.route('get', '/api/users/by-username/:username', (req, res) => {
      if (!this.authorized(req, res)) return;
      const user = this.findByUsername(String(req.params.username));
      if (!user) return this.error(req, res, ERRORS.NOT_FOUND_BY);
      res.json({ response: this.view(user) });
    });
    this.route('get', '/api/users/:uuid', (req, res) => {
      if (!this.authorized(req, res)) return;
      const user = this.users.get(String(req.params.uuid));
      if (!user) return this.error(req, res, ERRORS.USER_NOT_FOUND);
      res.json({ response: this.view(user) });
    });
    this.route('post', '/api/users/:uuid/actions/enable', (req, res) => this.toggle(req, res, true));
    this.route('post', '/api/users/:uuid/actions/disable', (req, res) => this.toggle(req, res, false));
    this.route('delete', '/api/users/:uuid', (req, res) => {
      if (!this.authorized(req, res)) return;
      const user = this.users.get(String(req.params.uuid));
      if (!user) return this.error(req, res, ERRORS.USER_NOT_FOUND);
      this.users.delete(user.uuid);
      res.json({ response: { isDeleted: true } });
    });
    // The subscription itself, public like the real `/api/sub/{shortUuid}`.
    this.route('get', '/api/sub/:shortUuid', (req, res) => {
      const user = [...this.users.values()].find((u) => u.shortUuid === req.params.shortUuid);
      if (!user || this.status(user) !== 'ACTIVE') {
        res.status(404).send('Not found');
        return;
      }
      const link = `vless://${user.vlessUuid}@127.0.0.1:443?security=reality&type=tcp#${user.username}`;
      res.type('text/plain').send(Buffer.from(link).toString('base64'));
    });
    this.finishRoutes((req, res) => {
      res.status(404).json({ message: `Cannot ${req.method} ${req.path}`, error: 'Not Found', statusCode: 404 });
    });
  }

  /** Revokes the API key, as deleting the token in the panel does. */
  expireAuthNow(): void {
    this.apiKey = `revoked-${randomUUID()}`;
  }

  /** Puts a new API key in force (the old one stops working). */
  setApiKey(apiKey: string): void {
    this.apiKey = apiKey;
  }

  accounts(): EmulatedAccount[] {
    return [...this.users.values()].map((u) => ({
      username: u.username,
      externalId: u.uuid,
      enabled: u.status === 'ACTIVE',
      expireAt: new Date(u.expireAt),
      trafficLimitBytes: u.trafficLimitBytes,
      usedTrafficBytes: u.usedTrafficBytes,
      deviceLimit: u.hwidDeviceLimit,
      telegramId: u.telegramId,
      note: u.description,
      subscriptionUrl: this.subscriptionUrl(u),
    }));
  }

  /** The raw record, for assertions on fields the common view does not carry (squads, strategy). */
  rawUser(username: string): Readonly<RemnawaveUserRecord> | undefined {
    return this.findByUsername(username);
  }

  seedAccount(seed: AccountSeed): EmulatedAccount {
    const user = this.insert({
      username: seed.username,
      expireAt: seed.expireAt ?? new Date(Date.now() + 30 * 86_400_000),
      trafficLimitBytes: seed.trafficLimitBytes ?? 0,
      hwidDeviceLimit: seed.deviceLimit ?? null,
      telegramId: seed.telegramId ?? null,
      description: seed.note ?? null,
      status: seed.enabled === false ? 'DISABLED' : 'ACTIVE',
    });
    user.usedTrafficBytes = seed.usedTrafficBytes ?? 0;
    return this.accounts().find((a) => a.externalId === user.uuid) as EmulatedAccount;
  }

  setUsedTraffic(username: string, bytes: number): void {
    const user = this.findByUsername(username);
    if (!user) throw new Error(`no account ${username}`);
    user.usedTrafficBytes = bytes;
    user.lifetimeUsedTrafficBytes = Math.max(user.lifetimeUsedTrafficBytes, bytes);
  }

  clearAccounts(): void {
    this.users.clear();
  }

  // ---- handlers -----------------------------------------------------------------------------------

  private create(req: Request, res: Response): void {
    if (!this.authorized(req, res)) return;
    const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
    const issues = validate(body, 'create', this.squads);
    if (issues.length > 0) return validationFailed(res, issues);
    const username = body.username as string;
    if (this.findByUsername(username)) return this.error(req, res, ERRORS.USERNAME_TAKEN);
    const user = this.insert({
      username,
      expireAt: new Date(body.expireAt as string),
      trafficLimitBytes: (body.trafficLimitBytes as number | undefined) ?? 0,
      trafficLimitStrategy: (body.trafficLimitStrategy as string | undefined) ?? 'NO_RESET',
      hwidDeviceLimit: (body.hwidDeviceLimit as number | undefined) ?? null,
      telegramId: (body.telegramId as number | null | undefined) ?? null,
      description: (body.description as string | undefined) ?? null,
      activeInternalSquads: (body.activeInternalSquads as string[] | undefined) ?? [],
      status: (body.status as StoredStatus | undefined) ?? 'ACTIVE',
    });
    if (this.loseCreateAnswer(req)) return;
    res.status(201).json({ response: this.view(user) });
  }

  private update(req: Request, res: Response): void {
    if (!this.authorized(req, res)) return;
    const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
    const issues = validate(body, 'update', this.squads);
    if (issues.length > 0) return validationFailed(res, issues);
    // uuid has priority over username, as in the real contract.
    const user = typeof body.uuid === 'string' ? this.users.get(body.uuid) : this.findByUsername(String(body.username));
    if (!user) return this.error(req, res, ERRORS.USER_NOT_FOUND);
    if (body.expireAt !== undefined) user.expireAt = new Date(body.expireAt as string);
    if (body.trafficLimitBytes !== undefined) user.trafficLimitBytes = body.trafficLimitBytes as number;
    if (body.trafficLimitStrategy !== undefined) user.trafficLimitStrategy = body.trafficLimitStrategy as string;
    if (body.hwidDeviceLimit !== undefined) user.hwidDeviceLimit = body.hwidDeviceLimit as number | null;
    if (body.telegramId !== undefined) user.telegramId = body.telegramId as number | null;
    if (body.description !== undefined) user.description = body.description as string | null;
    if (body.activeInternalSquads !== undefined) user.activeInternalSquads = body.activeInternalSquads as string[];
    if (body.status !== undefined) user.status = body.status as StoredStatus;
    user.updatedAt = new Date();
    res.json({ response: this.view(user) });
  }

  private toggle(req: Request, res: Response, enable: boolean): void {
    if (!this.authorized(req, res)) return;
    const user = this.users.get(String(req.params.uuid));
    if (!user) return this.error(req, res, ERRORS.USER_NOT_FOUND);
    if (enable && user.status !== 'DISABLED') return this.error(req, res, ERRORS.ALREADY_ENABLED);
    if (!enable && user.status === 'DISABLED') return this.error(req, res, ERRORS.ALREADY_DISABLED);
    user.status = enable ? 'ACTIVE' : 'DISABLED';
    user.updatedAt = new Date();
    res.json({ response: this.view(user) });
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private authorized(req: Request, res: Response): boolean {
    const header = req.get('authorization') ?? '';
    if (header === `Bearer ${this.apiKey}`) return true;
    res.status(401).json({ message: 'Unauthorized', statusCode: 401 });
    return false;
  }

  private error(req: Request, res: Response, err: { code: string; message: string; status: number }): void {
    res
      .status(err.status)
      .json({ timestamp: new Date().toISOString(), path: req.originalUrl, message: err.message, errorCode: err.code });
  }

  private findByUsername(username: string): RemnawaveUserRecord | undefined {
    for (const user of this.users.values()) if (user.username === username) return user;
    return undefined;
  }

  private insert(fields: Partial<RemnawaveUserRecord> & { username: string; expireAt: Date }): RemnawaveUserRecord {
    const now = new Date();
    const user: RemnawaveUserRecord = {
      uuid: randomUUID(),
      id: this.nextId++,
      shortUuid: randomToken(16),
      status: 'ACTIVE',
      trafficLimitBytes: 0,
      trafficLimitStrategy: 'NO_RESET',
      telegramId: null,
      email: null,
      description: null,
      tag: null,
      hwidDeviceLimit: null,
      activeInternalSquads: [],
      usedTrafficBytes: 0,
      lifetimeUsedTrafficBytes: 0,
      vlessUuid: randomUUID(),
      trojanPassword: randomToken(24),
      ssPassword: randomToken(32),
      createdAt: now,
      updatedAt: now,
      ...fields,
    };
    this.users.set(user.uuid, user);
    return user;
  }

  /** Remnawave stores ACTIVE/DISABLED and its jobs flip users to EXPIRED/LIMITED; computing it is equivalent. */
  private status(user: RemnawaveUserRecord): string {
    if (user.status === 'DISABLED') return 'DISABLED';
    if (user.expireAt.getTime() <= Date.now()) return 'EXPIRED';
    if (user.trafficLimitBytes > 0 && user.usedTrafficBytes >= user.trafficLimitBytes) return 'LIMITED';
    return 'ACTIVE';
  }

  private subscriptionUrl(user: RemnawaveUserRecord): string {
    return `${this.subscriptionBase ?? `${this.url}/api/sub`}/${user.shortUuid}`;
  }

  private view(user: RemnawaveUserRecord): Record<string, unknown> {
    return {
      uuid: user.uuid,
      id: user.id,
      shortUuid: user.shortUuid,
      username: user.username,
      status: this.status(user),
      trafficLimitBytes: user.trafficLimitBytes,
      trafficLimitStrategy: user.trafficLimitStrategy,
      expireAt: user.expireAt.toISOString(),
      telegramId: user.telegramId,
      email: user.email,
      description: user.description,
      tag: user.tag,
      hwidDeviceLimit: user.hwidDeviceLimit,
      externalSquadUuid: null,
      trojanPassword: user.trojanPassword,
      vlessUuid: user.vlessUuid,
      ssPassword: user.ssPassword,
      lastTriggeredThreshold: 0,
      subRevokedAt: null,
      subLastUserAgent: null,
      subLastOpenedAt: null,
      lastTrafficResetAt: null,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
      subscriptionUrl: this.subscriptionUrl(user),
      activeInternalSquads: user.activeInternalSquads.map((uuid) => ({
        uuid,
        name: this.squads.find((s) => s.uuid === uuid)?.name ?? 'unknown',
      })),
      userTraffic: {
        usedTrafficBytes: user.usedTrafficBytes,
        lifetimeUsedTrafficBytes: user.lifetimeUsedTrafficBytes,
        onlineAt: null,
        firstConnectedAt: null,
        lastConnectedNodeUuid: null,
      },
    };
  }
}

interface Issue {
  path: string[];
  message: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The subset of the Create/UpdateUserCommand zod schemas a provisioning client can hit. */
function validate(body: Record<string, unknown>, kind: 'create' | 'update', squads: { uuid: string }[]): Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, message: string) => issues.push({ path: [path], message });
  const { username } = body;
  if (kind === 'create' || body.uuid === undefined) {
    if (typeof username !== 'string') add('username', 'Username is required');
    else if (kind === 'create') {
      if (!USERNAME_RE.test(username))
        add('username', 'Username can only contain letters, numbers, underscores and dashes');
      if (username.length > 36) add('username', 'Username must be less than 36 characters');
      if (username.length < 3) add('username', 'Username must be at least 3 characters');
    }
  }
  if (body.uuid !== undefined && (typeof body.uuid !== 'string' || !UUID_RE.test(body.uuid)))
    add('uuid', 'Invalid uuid');
  if (kind === 'create' && body.expireAt === undefined) add('expireAt', 'Expiration date is required');
  if (body.expireAt !== undefined) {
    if (typeof body.expireAt !== 'string' || !ISO_RE.test(body.expireAt) || Number.isNaN(Date.parse(body.expireAt))) {
      add('expireAt', 'Invalid date format');
    } else if (kind === 'update' && Date.parse(body.expireAt) <= Date.now()) {
      add('expireAt', 'Expiration date cannot be in the past');
    }
  }
  for (const key of ['trafficLimitBytes', 'hwidDeviceLimit'] as const) {
    const value = body[key];
    if (value === undefined || (key === 'hwidDeviceLimit' && value === null)) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      add(key, `${key} must be a non-negative integer`);
  }
  if (body.trafficLimitStrategy !== undefined && !STRATEGIES.includes(String(body.trafficLimitStrategy))) {
    add('trafficLimitStrategy', 'Invalid traffic limit strategy');
  }
  if (body.telegramId !== undefined && body.telegramId !== null && !Number.isInteger(body.telegramId)) {
    add('telegramId', 'Expected integer');
  }
  if (body.description !== undefined && body.description !== null && typeof body.description !== 'string') {
    add('description', 'Expected string');
  }
  if (body.status !== undefined && body.status !== 'ACTIVE' && body.status !== 'DISABLED') {
    add('status', "You can't change status to LIMITED or EXPIRED. These statuses handled by Remnawave.");
  }
  if (body.activeInternalSquads !== undefined) {
    const list = body.activeInternalSquads;
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && UUID_RE.test(s))) {
      add('activeInternalSquads', 'Enabled internal squads must be an array of UUIDs');
    } else if (!list.every((s) => squads.some((q) => q.uuid === s))) {
      add('activeInternalSquads', 'Internal squad not found');
    }
  }
  return issues;
}

function validationFailed(res: Response, issues: Issue[]): void {
  res.status(400).json({
    statusCode: 400,
    message: 'Validation failed',
    errors: issues.map((i) => ({ validation: 'custom', code: 'custom', message: i.message, path: i.path })),
  });
}
