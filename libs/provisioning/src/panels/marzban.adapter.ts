/**
 * Marzban adapter, written against Marzban v0.8.x (github.com/Gozargah/Marzban, `app/routers/admin.py`,
 * `app/routers/user.py`, `app/models/user.py`). Facts used:
 * - `POST /api/admin/token`, form `username`/`password` (OAuth2 password form) → `{ access_token, token_type }`,
 *   401 "Incorrect username or password"; other calls send `Authorization: Bearer`, an expired token is 401;
 * - `POST /api/user` (username 3–32, proxies, inbounds, expire in unix seconds with 0/null = never,
 *   data_limit in bytes with 0/null = unlimited, data_limit_reset_strategy, status, note) → UserResponse,
 *   409 "User already exists", 422 on validation;
 * - `PUT /api/user/{username}` modifies; omitted/null fields stay; status active|disabled|on_hold;
 * - `GET /api/user/{username}` → UserResponse with `used_traffic` and `subscription_url`, which is relative
 *   (`/sub/<token>`) unless XRAY_SUBSCRIPTION_URL_PREFIX is set; 404 "User not found";
 * - `DELETE /api/user/{username}`; `GET /api/admin` returns the current admin.
 * Marzban has no device limit and no Telegram id per user: `deviceLimit` and `telegramId` are ignored, and the
 * device limit reads back as null.
 */
import { ErrorCode } from '@botfleet/common';

import { asNumber, asString, field, isRecord } from './json';
import {
  resolvePanelAdapterOptions,
  type PanelAdapterOptions,
  type ResolvedPanelAdapterOptions,
} from './panel-adapter.options';
import { errorForStatus, healthFailure, panelError, unexpectedResponse, type PanelErrorContext } from './panel-errors';
import { PanelHttpClient, type PanelHttpRequest, type PanelHttpResponse } from './panel-http.client';
import { PanelSessionStore, type PanelAuthSession } from './panel-session.store';
import { sendWithSession, type SessionAuth } from './session-auth';
import type {
  MarzbanPanelConfig,
  PanelAdapter,
  PanelHealth,
  PanelUser,
  PanelUserExtension,
  PanelUserSpec,
  PanelUserStatus,
} from './panel.port';

const STATUS: Record<string, PanelUserStatus> = {
  active: 'active',
  on_hold: 'active',
  disabled: 'disabled',
  limited: 'limited',
  expired: 'expired',
};

export class MarzbanAdapter implements PanelAdapter {
  readonly type = 'marzban' as const;
  readonly panelId: string;
  private readonly http: PanelHttpClient;
  private readonly auth: SessionAuth;

  constructor(
    private readonly config: MarzbanPanelConfig,
    options: PanelAdapterOptions = {},
  ) {
    const resolved: ResolvedPanelAdapterOptions = resolvePanelAdapterOptions(options);
    this.panelId = config.id;
    this.http = new PanelHttpClient(config.baseUrl, resolved.timeoutMs, resolved.fetch);
    this.auth = {
      store: resolved.sessions,
      key: PanelSessionStore.key({
        panelType: this.type,
        panelId: config.id,
        baseUrl: config.baseUrl,
        ...config.credentials,
      }),
      now: resolved.now,
      login: () => this.login(resolved.now),
      rejected: (res) => res.status === 401,
    };
  }

  async upsertUser(spec: PanelUserSpec): Promise<PanelUser> {
    const ctx = this.ctx('upsertUser');
    const limits = {
      expire: toUnixSeconds(spec.expireAt),
      data_limit: spec.trafficLimitBytes,
      status: 'active',
      ...(spec.note !== undefined ? { note: spec.note } : {}),
    };
    const create = {
      username: spec.username,
      proxies: this.config.settings.proxies,
      ...(this.config.settings.inbounds ? { inbounds: this.config.settings.inbounds } : {}),
      data_limit_reset_strategy: 'no_reset',
      ...limits,
    };
    // Two rounds cover a user deleted between our create conflict and the update.
    for (let round = 0; round < 2; round++) {
      const created = await this.send(ctx, { method: 'POST', path: '/api/user', json: create });
      if (created.status === 200 || created.status === 201) return this.readUser(ctx, created);
      if (created.status !== 409) throw fail(ctx, created);
      // A retry after a crash: the account is ours (deterministic name). Its proxies keep their keys, so
      // links already handed out stay valid; only limits, expiry and state follow the spec.
      const updated = await this.send(ctx, { method: 'PUT', path: userPath(spec.username), json: limits });
      if (updated.status === 200) return this.readUser(ctx, updated);
      if (updated.status !== 404) throw fail(ctx, updated);
    }
    throw panelError(ErrorCode.PANEL_UNAVAILABLE, ctx, 'user kept appearing and disappearing; try again');
  }

  async extendUser(username: string, extension: PanelUserExtension): Promise<PanelUser> {
    const ctx = this.ctx('extendUser');
    // Marzban itself turns an expired/limited user active again when the new limits allow it.
    const res = await this.send(ctx, {
      method: 'PUT',
      path: userPath(username),
      json: {
        expire: toUnixSeconds(extension.expireAt),
        ...(extension.trafficLimitBytes !== undefined ? { data_limit: extension.trafficLimitBytes } : {}),
      },
    });
    if (res.status === 404) throw notFound(ctx, username);
    if (res.status !== 200) throw fail(ctx, res);
    return this.readUser(ctx, res);
  }

  async getUser(username: string): Promise<PanelUser> {
    const ctx = this.ctx('getUser');
    const res = await this.send(ctx, { method: 'GET', path: userPath(username) });
    if (res.status === 404) throw notFound(ctx, username);
    if (res.status !== 200) throw fail(ctx, res);
    return this.readUser(ctx, res);
  }

  async setEnabled(username: string, enabled: boolean): Promise<void> {
    const ctx = this.ctx('setEnabled');
    const res = await this.send(ctx, {
      method: 'PUT',
      path: userPath(username),
      json: { status: enabled ? 'active' : 'disabled' },
    });
    if (res.status === 404) throw notFound(ctx, username);
    if (res.status !== 200) throw fail(ctx, res);
  }

  async deleteUser(username: string): Promise<void> {
    const ctx = this.ctx('deleteUser');
    const res = await this.send(ctx, { method: 'DELETE', path: userPath(username) });
    if (res.status === 404) throw notFound(ctx, username);
    if (res.status !== 200) throw fail(ctx, res);
  }

  async healthCheck(): Promise<PanelHealth> {
    const ctx = this.ctx('healthCheck');
    const started = Date.now();
    try {
      const res = await this.send(ctx, { method: 'GET', path: '/api/admin' });
      if (res.status !== 200) throw fail(ctx, res);
      return { ok: true, latencyMs: Date.now() - started };
    } catch (err: unknown) {
      return healthFailure(err, started);
    }
  }

  private send(ctx: PanelErrorContext, req: PanelHttpRequest): Promise<PanelHttpResponse> {
    return sendWithSession(this.auth, (token) =>
      this.http.request({ ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } }, ctx),
    );
  }

  private async login(now: () => number): Promise<PanelAuthSession> {
    const ctx = this.ctx('login');
    const { username, password } = this.config.credentials;
    const res = await this.http.request(
      { method: 'POST', path: '/api/admin/token', form: { grant_type: 'password', username, password } },
      ctx,
    );
    // 422 is FastAPI refusing the form (e.g. an empty password): still our credentials' fault.
    if (res.status === 401 || res.status === 403 || res.status === 422) {
      throw panelError(ErrorCode.PANEL_AUTH_FAILED, ctx, `login refused (HTTP ${res.status})`, { status: res.status });
    }
    if (res.status !== 200) throw errorForStatus(ctx, res.status);
    const token = asString(field(res.body, 'access_token'));
    if (!token) throw unexpectedResponse(ctx, 'token response without access_token');
    return { value: token, expiresAt: jwtExpiry(token, now()) };
  }

  private readUser(ctx: PanelErrorContext, res: PanelHttpResponse): PanelUser {
    const raw = res.body;
    if (!isRecord(raw)) throw unexpectedResponse(ctx, 'user response is not an object');
    const username = asString(raw.username);
    const status = STATUS[asString(raw.status) ?? ''];
    const subscriptionUrl = asString(raw.subscription_url);
    if (!username || !status || !subscriptionUrl) {
      throw unexpectedResponse(ctx, 'user object lacks username, status or subscription_url');
    }
    const expire = asNumber(raw.expire);
    return {
      username,
      // Without XRAY_SUBSCRIPTION_URL_PREFIX Marzban returns `/sub/<token>`, served by the panel itself.
      subscriptionUrl: /^https?:\/\//i.test(subscriptionUrl)
        ? subscriptionUrl
        : this.http.url(withSlash(subscriptionUrl)),
      usedTrafficBytes: asNumber(raw.used_traffic) ?? 0,
      trafficLimitBytes: asNumber(raw.data_limit) ?? 0,
      expireAt: expire ? new Date(expire * 1000) : null,
      status,
      deviceLimit: null,
    };
  }

  private ctx(operation: string): PanelErrorContext {
    return { panelId: this.panelId, panelType: this.type, operation };
  }
}

function userPath(username: string): string {
  return `/api/user/${encodeURIComponent(username)}`;
}

function toUnixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function withSlash(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

function fail(ctx: PanelErrorContext, res: PanelHttpResponse) {
  return errorForStatus(ctx, res.status, detail(res.body));
}

/** FastAPI's `detail` is a string, or a list of validation errors with `msg`. */
function detail(body: unknown): string | undefined {
  const value = field(body, 'detail');
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    return value
      .map((item) => asString(field(item, 'msg')))
      .filter((msg): msg is string => msg !== undefined)
      .join('; ');
  }
  return undefined;
}

function notFound(ctx: PanelErrorContext, username: string) {
  return panelError(ErrorCode.PANEL_USER_NOT_FOUND, ctx, `no user ${username}`, { username });
}

/**
 * Marzban's token is a JWT; its `exp` lets us log in again before the panel starts answering 401.
 * Unreadable tokens just get no expiry, and the 401 path handles them.
 */
function jwtExpiry(token: string, now: number): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = asNumber(field(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown, 'exp'));
    return exp !== undefined && exp * 1000 > now ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
