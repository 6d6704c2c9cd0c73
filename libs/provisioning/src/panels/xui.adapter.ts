/**
 * 3x-ui adapter, written against MHSanaei/3x-ui v2.x (2.4–2.8: `web/controller/index.go`, `api.go`,
 * `inbound.go`, `util.go`, `database/model/model.go`, `xray/client_traffic.go`). Facts used:
 * - `POST /login` with form `username`/`password` → HTTP 200 `{ success, msg, obj }` and a session cookie
 *   (`3x-ui`); wrong credentials are also HTTP 200, with `success: false`;
 * - `/panel/api/*` without a live session: 404 (401 when `X-Requested-With: XMLHttpRequest`; older builds
 *   redirect 307 to the login page);
 * - every answer is `{ success, msg, obj }` with HTTP 200, errors included;
 * - `POST /panel/api/inbounds/addClient` body `{ id: inboundId, settings: "<JSON string>" }` where the
 *   string is `{"clients":[{ id, email, totalGB (bytes), expiryTime (ms, 0 = never), enable, subId,
 *   limitIp, tgId (number), flow, comment, reset }]}`; an email taken anywhere on the panel fails with
 *   "Duplicate email: …";
 * - `POST /panel/api/inbounds/updateClient/{clientId}` replaces the whole client (same body shape);
 * - `POST /panel/api/inbounds/{inboundId}/delClient/{clientId}`;
 * - `GET /panel/api/inbounds/getClientTraffics/{email}` → ClientTraffic `{ inboundId, enable, email, uuid,
 *   subId, up, down, total, expiryTime }`, or `obj: null` for an unknown email;
 * - `GET /panel/api/inbounds/get/{id}` → the inbound, its `settings` a JSON string holding the clients.
 * The client key in URLs is `id` for VLESS/VMess, `password` for Trojan, `email` for Shadowsocks.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { DomainError, ErrorCode } from '@botfleet/common';

import { asBoolean, asNumber, asString, field, isRecord, parseJson, type JsonRecord } from './json';
import { resolvePanelAdapterOptions, type PanelAdapterOptions } from './panel-adapter.options';
import { errorForStatus, healthFailure, panelError, unexpectedResponse, type PanelErrorContext } from './panel-errors';
import { PanelHttpClient, type PanelHttpRequest, type PanelHttpResponse } from './panel-http.client';
import { PanelSessionStore, type KeyedMutex, type PanelAuthSession } from './panel-session.store';
import { sendWithSession, type SessionAuth } from './session-auth';
import type {
  PanelAdapter,
  PanelHealth,
  PanelUser,
  PanelUserExtension,
  PanelUserSpec,
  PanelUserStatus,
  XuiPanelConfig,
} from './panel.port';

/** Protocols whose clients we know how to create. */
const SUPPORTED_PROTOCOLS = new Set(['vless', 'vmess', 'trojan']);

interface XuiReply {
  success: boolean;
  msg: string;
  obj: unknown;
}

interface InboundInfo {
  id: number;
  protocol: string;
  clients: JsonRecord[];
}

/** A client as found on the panel: where it lives, its full settings entry, and its counters. */
interface LocatedClient {
  inbound: InboundInfo;
  client: JsonRecord;
  traffic: JsonRecord;
}

export class XuiAdapter implements PanelAdapter {
  readonly type = 'xui' as const;
  readonly panelId: string;
  private readonly http: PanelHttpClient;
  private readonly auth: SessionAuth;
  private readonly locks: KeyedMutex;
  private readonly now: () => number;

  constructor(
    private readonly config: XuiPanelConfig,
    options: PanelAdapterOptions = {},
  ) {
    const resolved = resolvePanelAdapterOptions(options);
    this.panelId = config.id;
    this.now = resolved.now;
    this.http = new PanelHttpClient(config.baseUrl, resolved.timeoutMs, resolved.fetch);
    this.locks = resolved.sessions.locks;
    this.auth = {
      store: resolved.sessions,
      key: PanelSessionStore.key({
        panelType: this.type,
        panelId: config.id,
        baseUrl: config.baseUrl,
        ...config.credentials,
      }),
      now: resolved.now,
      login: () => this.login(),
      // 404 is how 3x-ui hides its API from a caller without a session; 401 and 3xx are older forms of it.
      rejected: (res) => res.status === 401 || res.status === 404 || (res.status >= 300 && res.status < 400),
    };
  }

  async upsertUser(spec: PanelUserSpec): Promise<PanelUser> {
    const ctx = this.ctx('upsertUser');
    const inbound = await this.inbound(ctx, this.config.settings.inboundId);
    if (!SUPPORTED_PROTOCOLS.has(inbound.protocol)) {
      throw panelError(ErrorCode.PANEL_REJECTED, ctx, `cannot create clients on a ${inbound.protocol} inbound`);
    }
    const client: JsonRecord = {
      id: randomUUID(),
      ...(inbound.protocol === 'trojan' ? { password: randomBytes(16).toString('hex') } : {}),
      flow: inbound.protocol === 'vless' ? (this.config.settings.flow ?? '') : '',
      email: spec.username,
      limitIp: spec.deviceLimit,
      totalGB: spec.trafficLimitBytes,
      expiryTime: spec.expireAt.getTime(),
      enable: true,
      tgId: spec.telegramId ?? 0,
      subId: randomSubId(),
      comment: spec.note ?? '',
      reset: 0,
    };
    for (let round = 0; round < 2; round++) {
      const added = await this.mutate(ctx, inbound.id, {
        method: 'POST',
        path: '/panel/api/inbounds/addClient',
        json: { id: inbound.id, settings: JSON.stringify({ clients: [client] }) },
      });
      if (added.success) return this.getUser(spec.username);
      if (!/duplicate email/i.test(added.msg)) throw rejected(ctx, added.msg);
      // A retry after a crash (the email is unique per panel, so the account is ours): bring it to the spec.
      let found: LocatedClient;
      try {
        found = await this.locate(ctx, spec.username);
      } catch (err: unknown) {
        // Gone between the conflict and our lookup: try creating again.
        if (DomainError.is(err, ErrorCode.PANEL_USER_NOT_FOUND)) continue;
        throw err;
      }
      await this.updateClient(ctx, found, {
        expiryTime: spec.expireAt.getTime(),
        totalGB: spec.trafficLimitBytes,
        limitIp: spec.deviceLimit,
        enable: true,
        ...(spec.telegramId !== undefined ? { tgId: spec.telegramId } : {}),
        ...(spec.note !== undefined ? { comment: spec.note } : {}),
      });
      return this.getUser(spec.username);
    }
    throw panelError(ErrorCode.PANEL_UNAVAILABLE, ctx, 'user kept appearing and disappearing; try again');
  }

  async extendUser(username: string, extension: PanelUserExtension): Promise<PanelUser> {
    const ctx = this.ctx('extendUser');
    const found = await this.locate(ctx, username);
    // 3x-ui switches a client off itself when it expires or runs out of traffic; a renewal must switch it
    // back on. A client switched off while still valid was disabled on purpose and stays off.
    const autoDisabled = found.client.enable === false && ['expired', 'limited'].includes(this.statusOf(found));
    await this.updateClient(ctx, found, {
      expiryTime: extension.expireAt.getTime(),
      ...(extension.trafficLimitBytes !== undefined ? { totalGB: extension.trafficLimitBytes } : {}),
      ...(extension.deviceLimit !== undefined ? { limitIp: extension.deviceLimit } : {}),
      ...(autoDisabled ? { enable: true } : {}),
    });
    return this.getUser(username);
  }

  async getUser(username: string): Promise<PanelUser> {
    const found = await this.locate(this.ctx('getUser'), username);
    const { traffic, client } = found;
    const subId = asString(client.subId) ?? asString(traffic.subId) ?? '';
    return {
      username: asString(client.email) ?? username,
      subscriptionUrl: joinUrl(this.config.settings.subscriptionBaseUrl, subId),
      usedTrafficBytes: (asNumber(traffic.up) ?? 0) + (asNumber(traffic.down) ?? 0),
      trafficLimitBytes: asNumber(client.totalGB) ?? asNumber(traffic.total) ?? 0,
      expireAt: expiry(client, traffic),
      status: this.statusOf(found),
      deviceLimit: asNumber(client.limitIp) ?? 0,
      externalId: asString(client.id) ?? asString(traffic.uuid),
    };
  }

  async setEnabled(username: string, enabled: boolean): Promise<void> {
    const ctx = this.ctx('setEnabled');
    const found = await this.locate(ctx, username);
    if (found.client.enable === enabled) return;
    await this.updateClient(ctx, found, { enable: enabled });
  }

  async deleteUser(username: string): Promise<void> {
    const ctx = this.ctx('deleteUser');
    const found = await this.locate(ctx, username);
    const key = clientKey(found);
    const reply = await this.mutate(ctx, found.inbound.id, {
      method: 'POST',
      path: `/panel/api/inbounds/${found.inbound.id}/delClient/${encodeURIComponent(key)}`,
    });
    if (reply.success) return;
    if (/not found/i.test(reply.msg)) throw notFound(ctx, username);
    if (!/no client remained/i.test(reply.msg)) throw rejected(ctx, reply.msg);
    // 3x-ui refuses to remove an inbound's last client. Retire it instead: switched off, a fresh subId so
    // the old link stops working, and a new email so the username is free for a later purchase.
    await this.updateClient(ctx, found, {
      email: `${username}-deleted-${randomSubId().slice(0, 8)}`,
      enable: false,
      subId: randomSubId(),
      comment: 'deleted by botfleet; kept because 3x-ui needs one client per inbound',
    });
  }

  async healthCheck(): Promise<PanelHealth> {
    const ctx = this.ctx('healthCheck');
    const started = Date.now();
    try {
      // Logs in if needed and proves the configured inbound exists: a panel we cannot sell on is not healthy.
      await this.inbound(ctx, this.config.settings.inboundId);
      return { ok: true, latencyMs: Date.now() - started };
    } catch (err: unknown) {
      return healthFailure(err, started);
    }
  }

  private async locate(ctx: PanelErrorContext, username: string): Promise<LocatedClient> {
    const reply = await this.call(ctx, {
      method: 'GET',
      path: `/panel/api/inbounds/getClientTraffics/${encodeURIComponent(username)}`,
    });
    if (!reply.success) throw rejected(ctx, reply.msg);
    const traffic = reply.obj;
    if (traffic === null || traffic === undefined) throw notFound(ctx, username);
    if (!isRecord(traffic)) throw unexpectedResponse(ctx, 'client traffic is not an object');
    const inboundId = asNumber(traffic.inboundId);
    if (inboundId === undefined) throw unexpectedResponse(ctx, 'client traffic without inboundId');
    const inbound = await this.inbound(ctx, inboundId);
    const client =
      inbound.clients.find((c) => c.email === username) ??
      inbound.clients.find((c) => asString(c.email)?.toLowerCase() === username.toLowerCase());
    // Counters without a client entry: the client was just removed; treat it as gone.
    if (!client) throw notFound(ctx, username);
    return { inbound, client, traffic };
  }

  private async inbound(ctx: PanelErrorContext, inboundId: number): Promise<InboundInfo> {
    const reply = await this.call(ctx, { method: 'GET', path: `/panel/api/inbounds/get/${inboundId}` });
    if (!reply.success) {
      throw panelError(ErrorCode.PANEL_REJECTED, ctx, `inbound ${inboundId} not readable: ${reply.msg}`);
    }
    const obj = reply.obj;
    const protocol = asString(field(obj, 'protocol'));
    const settings = parseJson(asString(field(obj, 'settings')) ?? '');
    const clients = field(settings, 'clients');
    if (!protocol) throw unexpectedResponse(ctx, 'inbound without protocol');
    return {
      id: inboundId,
      protocol,
      clients: Array.isArray(clients) ? clients.filter(isRecord) : [],
    };
  }

  private async updateClient(ctx: PanelErrorContext, found: LocatedClient, changes: JsonRecord): Promise<void> {
    // 3x-ui replaces the whole client, so unknown fields (flow, security, timestamps) are sent back as read.
    const merged = { ...found.client, ...changes };
    const reply = await this.mutate(ctx, found.inbound.id, {
      method: 'POST',
      path: `/panel/api/inbounds/updateClient/${encodeURIComponent(clientKey(found))}`,
      json: { id: found.inbound.id, settings: JSON.stringify({ clients: [merged] }) },
    });
    if (!reply.success) {
      throw /not found/i.test(reply.msg) ? notFound(ctx, asString(found.client.email) ?? '') : rejected(ctx, reply.msg);
    }
  }

  /**
   * Client changes rewrite the inbound's settings JSON (read, modify, write). Older 3x-ui builds do not
   * lock that, and two concurrent writes lose one client, so this process sends one at a time per inbound.
   */
  private mutate(ctx: PanelErrorContext, inboundId: number, req: PanelHttpRequest): Promise<XuiReply> {
    return this.locks.run(`${this.panelId}:${inboundId}`, () => this.call(ctx, req));
  }

  private async call(ctx: PanelErrorContext, req: PanelHttpRequest): Promise<XuiReply> {
    const res = await sendWithSession(this.auth, (cookie) =>
      this.http.request({ ...req, headers: { ...req.headers, cookie } }, ctx),
    );
    if (res.status === 401) {
      throw panelError(ErrorCode.PANEL_AUTH_FAILED, ctx, 'panel refused a fresh session', { status: res.status });
    }
    if (res.status === 404 || (res.status >= 300 && res.status < 400)) {
      // Still hidden right after a successful login: the URL (web base path) is wrong or the API is missing.
      throw panelError(ErrorCode.PANEL_REJECTED, ctx, 'API not found; check the panel URL and web base path', {
        status: res.status,
      });
    }
    if (res.status !== 200) throw errorForStatus(ctx, res.status);
    return readReply(ctx, res);
  }

  private async login(): Promise<PanelAuthSession> {
    const ctx = this.ctx('login');
    const { username, password } = this.config.credentials;
    const res = await this.http.request({ method: 'POST', path: '/login', form: { username, password } }, ctx);
    if (res.status === 404) {
      throw panelError(ErrorCode.PANEL_REJECTED, ctx, 'login page not found; check the panel URL and web base path');
    }
    if (res.status !== 200) throw errorForStatus(ctx, res.status);
    const reply = readReply(ctx, res);
    if (!reply.success) throw panelError(ErrorCode.PANEL_AUTH_FAILED, ctx, 'login refused');
    const session = sessionFromCookies(res.headers, this.now());
    if (!session) throw unexpectedResponse(ctx, 'login succeeded without a session cookie');
    return session;
  }

  private statusOf(found: LocatedClient): PanelUserStatus {
    const expireAt = expiry(found.client, found.traffic);
    const total = asNumber(found.client.totalGB) ?? asNumber(found.traffic.total) ?? 0;
    const used = (asNumber(found.traffic.up) ?? 0) + (asNumber(found.traffic.down) ?? 0);
    // Expiry and depletion explain a switched-off client better than "disabled" does.
    if (expireAt && expireAt.getTime() <= this.now()) return 'expired';
    if (total > 0 && used >= total) return 'limited';
    const enabled = asBoolean(found.client.enable) ?? asBoolean(found.traffic.enable) ?? true;
    return enabled ? 'active' : 'disabled';
  }

  private ctx(operation: string): PanelErrorContext {
    return { panelId: this.panelId, panelType: this.type, operation };
  }
}

function readReply(ctx: PanelErrorContext, res: PanelHttpResponse): XuiReply {
  const success = asBoolean(field(res.body, 'success'));
  if (success === undefined) throw unexpectedResponse(ctx, 'answer is not { success, msg, obj }');
  return { success, msg: asString(field(res.body, 'msg')) ?? '', obj: field(res.body, 'obj') };
}

function clientKey(found: LocatedClient): string {
  const { protocol } = found.inbound;
  const key =
    protocol === 'trojan'
      ? asString(found.client.password)
      : protocol === 'shadowsocks'
        ? asString(found.client.email)
        : asString(found.client.id);
  return key ?? '';
}

/** Positive expiryTime is an instant in ms; 0 is never; negative means "N ms after first use" (not started). */
function expiry(client: JsonRecord, traffic: JsonRecord): Date | null {
  const ms = asNumber(client.expiryTime) ?? asNumber(traffic.expiryTime) ?? 0;
  return ms > 0 ? new Date(ms) : null;
}

/** Cookie header for the next requests, valid until the earliest Max-Age/Expires the panel gave. */
function sessionFromCookies(headers: Headers, now: number): PanelAuthSession | undefined {
  const pairs: string[] = [];
  let expiresAt: number | undefined;
  for (const line of headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    if (!pair || !pair.includes('=')) continue;
    let until: number | undefined;
    for (const attribute of attributes) {
      const [name, value = ''] = attribute.split('=');
      if (name.toLowerCase() === 'max-age' && /^-?\d+$/.test(value)) until = now + Number(value) * 1000;
      if (name.toLowerCase() === 'expires' && until === undefined && !Number.isNaN(Date.parse(value))) {
        until = Date.parse(value);
      }
    }
    if (until !== undefined && until <= now) continue;
    pairs.push(pair);
    if (until !== undefined) expiresAt = Math.min(expiresAt ?? until, until);
  }
  return pairs.length > 0 ? { value: pairs.join('; '), expiresAt } : undefined;
}

function joinUrl(base: string, tail: string): string {
  return base.endsWith('/') ? `${base}${tail}` : `${base}/${tail}`;
}

/** Same alphabet and length 3x-ui uses for its own subIds. */
function randomSubId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(16), (byte) => alphabet[byte % alphabet.length]).join('');
}

function rejected(ctx: PanelErrorContext, msg: string) {
  return panelError(ErrorCode.PANEL_REJECTED, ctx, 'panel refused the request', { panelMessage: msg.slice(0, 300) });
}

function notFound(ctx: PanelErrorContext, username: string) {
  return panelError(ErrorCode.PANEL_USER_NOT_FOUND, ctx, `no user ${username}`, { username });
}
