/**
 * Remnawave adapter, written against the Remnawave panel API 2.x (`@remnawave/backend` contract 2.1–2.3:
 * `libs/contract/commands/users/*.command.ts` and `libs/contract/api/controllers/users.ts` in
 * github.com/remnawave/backend). Facts used:
 * - auth: API token as `Authorization: Bearer`; we also send `X-Api-Key` for panels behind the reverse
 *   proxy that checks it;
 * - `POST /api/users` (username 3–36 `[a-zA-Z0-9_-]`, expireAt ISO, trafficLimitBytes, trafficLimitStrategy,
 *   hwidDeviceLimit, telegramId, description, activeInternalSquads, status) → 201 `{ response: user }`;
 *   a taken username is HTTP 400 with `errorCode: 'A019'` ("User username already exists");
 * - `PATCH /api/users` updates by `uuid` or `username` → `{ response: user }`;
 * - `GET /api/users/by-username/{username}` → `{ response: user }`, 404 (A025/A063) when absent;
 * - `POST /api/users/{uuid}/actions/enable|disable` → `{ response: user }`, 400 A030/A029 when already so;
 * - `DELETE /api/users/{uuid}` → `{ response: { isDeleted } }`;
 * - user fields: uuid, username, status ACTIVE|DISABLED|LIMITED|EXPIRED, trafficLimitBytes, expireAt,
 *   hwidDeviceLimit, subscriptionUrl, userTraffic.usedTrafficBytes (top-level usedTrafficBytes before 2.1);
 * - errors: `{ timestamp, path, message, errorCode }`.
 */
import { ErrorCode } from '@botfleet/common';

import { asNumber, asString, field, isRecord, type JsonRecord } from './json';
import { resolvePanelAdapterOptions, type PanelAdapterOptions } from './panel-adapter.options';
import { errorForStatus, healthFailure, panelError, unexpectedResponse, type PanelErrorContext } from './panel-errors';
import { PanelHttpClient, type PanelHttpRequest, type PanelHttpResponse } from './panel-http.client';
import type {
  PanelAdapter,
  PanelHealth,
  PanelUser,
  PanelUserExtension,
  PanelUserSpec,
  PanelUserStatus,
  RemnawavePanelConfig,
} from './panel.port';

const USERNAME_TAKEN = 'A019';
const ALREADY_DISABLED = 'A029';
const ALREADY_ENABLED = 'A030';

const STATUS: Record<string, PanelUserStatus> = {
  ACTIVE: 'active',
  DISABLED: 'disabled',
  LIMITED: 'limited',
  EXPIRED: 'expired',
};

interface RemnawaveUser {
  uuid: string;
  user: PanelUser;
}

export class RemnawaveAdapter implements PanelAdapter {
  readonly type = 'remnawave' as const;
  readonly panelId: string;
  private readonly http: PanelHttpClient;

  constructor(
    private readonly config: RemnawavePanelConfig,
    options: PanelAdapterOptions = {},
  ) {
    const resolved = resolvePanelAdapterOptions(options);
    this.panelId = config.id;
    this.http = new PanelHttpClient(config.baseUrl, resolved.timeoutMs, resolved.fetch);
  }

  async upsertUser(spec: PanelUserSpec): Promise<PanelUser> {
    const ctx = this.ctx('upsertUser');
    const settings = this.config.settings ?? {};
    const fields = {
      expireAt: spec.expireAt.toISOString(),
      trafficLimitBytes: spec.trafficLimitBytes,
      trafficLimitStrategy: settings.trafficLimitStrategy ?? 'NO_RESET',
      hwidDeviceLimit: spec.deviceLimit,
      ...(spec.telegramId !== undefined ? { telegramId: spec.telegramId } : {}),
      ...(spec.note !== undefined ? { description: spec.note } : {}),
      ...(settings.activeInternalSquads ? { activeInternalSquads: settings.activeInternalSquads } : {}),
      status: 'ACTIVE',
    };
    // Two rounds cover a user deleted between our create conflict and the update.
    for (let round = 0; round < 2; round++) {
      const created = await this.send(ctx, {
        method: 'POST',
        path: '/api/users',
        json: { username: spec.username, ...fields },
      });
      if (created.status === 200 || created.status === 201) return this.readUser(ctx, created).user;
      if (!isUsernameTaken(created)) throw this.fail(ctx, created);
      // A retry after a crash: the account is ours (deterministic name), bring it to the spec.
      const updated = await this.send(ctx, {
        method: 'PATCH',
        path: '/api/users',
        json: { username: spec.username, ...fields },
      });
      if (updated.status === 200) return this.readUser(ctx, updated).user;
      if (updated.status !== 404) throw this.fail(ctx, updated);
    }
    throw panelError(ErrorCode.PANEL_UNAVAILABLE, ctx, 'user kept appearing and disappearing; try again');
  }

  async extendUser(username: string, extension: PanelUserExtension): Promise<PanelUser> {
    const ctx = this.ctx('extendUser');
    const res = await this.send(ctx, {
      method: 'PATCH',
      path: '/api/users',
      json: {
        username,
        expireAt: extension.expireAt.toISOString(),
        ...(extension.trafficLimitBytes !== undefined ? { trafficLimitBytes: extension.trafficLimitBytes } : {}),
        ...(extension.deviceLimit !== undefined ? { hwidDeviceLimit: extension.deviceLimit } : {}),
      },
    });
    if (res.status === 404) throw notFound(ctx, username);
    if (res.status !== 200) throw this.fail(ctx, res);
    return this.readUser(ctx, res).user;
  }

  async getUser(username: string): Promise<PanelUser> {
    return (await this.find(this.ctx('getUser'), username)).user;
  }

  async setEnabled(username: string, enabled: boolean): Promise<void> {
    const ctx = this.ctx('setEnabled');
    const { uuid } = await this.find(ctx, username);
    const action = enabled ? 'enable' : 'disable';
    const res = await this.send(ctx, {
      method: 'POST',
      path: `/api/users/${encodeURIComponent(uuid)}/actions/${action}`,
    });
    if (res.status === 200 || res.status === 201) return;
    if (res.status === 404) throw notFound(ctx, username);
    // Remnawave refuses to enable an enabled user; for us that is the wanted state.
    const code = asString(field(res.body, 'errorCode'));
    if (res.status === 400 && code === (enabled ? ALREADY_ENABLED : ALREADY_DISABLED)) return;
    throw this.fail(ctx, res);
  }

  async deleteUser(username: string): Promise<void> {
    const ctx = this.ctx('deleteUser');
    const { uuid } = await this.find(ctx, username);
    const res = await this.send(ctx, { method: 'DELETE', path: `/api/users/${encodeURIComponent(uuid)}` });
    if (res.status === 404) throw notFound(ctx, username);
    if (res.status !== 200) throw this.fail(ctx, res);
  }

  async healthCheck(): Promise<PanelHealth> {
    const ctx = this.ctx('healthCheck');
    const started = Date.now();
    try {
      // An authenticated read: proves both reachability and that the API token is still valid.
      const res = await this.send(ctx, { method: 'GET', path: '/api/system/stats' });
      if (res.status !== 200) throw this.fail(ctx, res);
      return { ok: true, latencyMs: Date.now() - started };
    } catch (err: unknown) {
      return healthFailure(err, started);
    }
  }

  private async find(ctx: PanelErrorContext, username: string): Promise<RemnawaveUser> {
    const res = await this.send(ctx, { method: 'GET', path: `/api/users/by-username/${encodeURIComponent(username)}` });
    if (res.status === 404) throw notFound(ctx, username);
    if (res.status !== 200) throw this.fail(ctx, res);
    return this.readUser(ctx, res);
  }

  private send(ctx: PanelErrorContext, req: PanelHttpRequest): Promise<PanelHttpResponse> {
    const key = this.config.credentials.apiKey;
    return this.http.request({ ...req, headers: { authorization: `Bearer ${key}`, 'x-api-key': key } }, ctx);
  }

  private fail(ctx: PanelErrorContext, res: PanelHttpResponse) {
    return errorForStatus(ctx, res.status, panelMessage(res.body));
  }

  private readUser(ctx: PanelErrorContext, res: PanelHttpResponse): RemnawaveUser {
    const raw = field(res.body, 'response');
    if (!isRecord(raw)) throw unexpectedResponse(ctx, 'no `response` object');
    const uuid = asString(raw.uuid);
    const username = asString(raw.username);
    const subscriptionUrl = asString(raw.subscriptionUrl);
    const status = STATUS[asString(raw.status) ?? ''];
    const expireAtText = asString(raw.expireAt);
    const expireAt = expireAtText ? new Date(expireAtText) : null;
    if (!uuid || !username || !subscriptionUrl || !status || (expireAt && Number.isNaN(expireAt.getTime()))) {
      throw unexpectedResponse(ctx, 'user object lacks uuid, username, subscriptionUrl, status or expireAt');
    }
    return {
      uuid,
      user: {
        username,
        subscriptionUrl,
        usedTrafficBytes: usedTraffic(raw),
        trafficLimitBytes: numeric(raw.trafficLimitBytes) ?? 0,
        expireAt,
        status,
        deviceLimit: numeric(raw.hwidDeviceLimit) ?? null,
        externalId: uuid,
      },
    };
  }

  private ctx(operation: string): PanelErrorContext {
    return { panelId: this.panelId, panelType: this.type, operation };
  }
}

function isUsernameTaken(res: PanelHttpResponse): boolean {
  if (res.status === 409) return true;
  if (res.status !== 400) return false;
  if (asString(field(res.body, 'errorCode')) === USERNAME_TAKEN) return true;
  return /username already exists/i.test(panelMessage(res.body) ?? '');
}

function usedTraffic(raw: JsonRecord): number {
  // 2.1 moved the counter into `userTraffic`; older panels keep it on the user.
  return numeric(field(raw.userTraffic, 'usedTrafficBytes')) ?? numeric(raw.usedTrafficBytes) ?? 0;
}

/** Remnawave serialises byte counters (BigInt in its database) as numbers, older builds as strings. */
function numeric(value: unknown): number | undefined {
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return asNumber(value);
}

function panelMessage(body: unknown): string | undefined {
  const message = field(body, 'message');
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.filter((m) => typeof m === 'string').join('; ');
  return undefined;
}

function notFound(ctx: PanelErrorContext, username: string) {
  return panelError(ErrorCode.PANEL_USER_NOT_FOUND, ctx, `no user ${username}`, { username });
}
