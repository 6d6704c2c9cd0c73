import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  ADMIN_PERMISSIONS,
  AdminAccessService,
  AdminPermission,
  BotSettingsService,
  ConsoleLinksService,
  roleAllows,
} from '@botfleet/bots';
import { DomainError, ErrorCode } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { ConsoleSessionEntity } from '@botfleet/dal';
import { ConsoleSessionScope, ConsoleSessionsRepository } from '@botfleet/platform';
import { API_TOKEN_PREFIX, constantTimeEqual, sha256Hex } from '@botfleet/secrets';
import { BotAccessCache } from '../auth/bot-access-cache';
import type { Principal } from '../auth/principal';

/** The session cookie: HttpOnly, SameSite=Strict, Path=/, Secure outside development and tests. */
export const SESSION_COOKIE = 'bf_session';
export const CSRF_HEADER = 'x-csrf-token';
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const USER_AGENT_MAX = 300;

export interface SignInInput {
  code?: string;
  apiToken?: string;
}

export interface SignedIn {
  session: ConsoleSessionEntity;
  /** The cookie's value: shown to the browser once, kept as a hash. */
  token: string;
  /** Sent back with every cookie-authenticated write (X-CSRF-Token); kept as a hash. */
  csrfToken: string;
}

export interface WhoAmI {
  session: ConsoleSessionEntity;
  botName: string | null;
  permissions: AdminPermission[];
}

/**
 * The web console's sessions: sign-in with a one-time link code from a bot (or a pasted API token), the cookie
 * checked like a bearer token on every request (CSRF for writes), the caller's sessions listed and revoked.
 * A bot admin's session is that admin: their role is read again on every request, so a removed admin's session
 * stops at once; an operator's session stops when they leave MASTER_ADMIN_TELEGRAM_IDS.
 */
@Injectable()
export class ConsoleSessionsService {
  constructor(
    private readonly sessions: ConsoleSessionsRepository,
    private readonly links: ConsoleLinksService,
    private readonly access: AdminAccessService,
    private readonly bots: BotAccessCache,
    private readonly settings: BotSettingsService,
    private readonly config: AppConfig,
  ) {}

  /** A new session for a live link code or a valid token; null when neither signs anyone in. */
  async signIn(input: SignInInput, userAgent: string | undefined): Promise<SignedIn | null> {
    const subject = input.code !== undefined ? await this.fromCode(input.code) : await this.fromToken(input.apiToken);
    if (!subject) return null;
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const session = await this.sessions.create({
      ...subject,
      tokenHash: sha256Hex(token),
      csrfHash: sha256Hex(csrfToken),
      userAgent: userAgent ? userAgent.slice(0, USER_AGENT_MAX) : null,
      expiresAt: new Date(Date.now() + this.config.CONSOLE_SESSION_TTL_H * 3_600_000),
    });
    return { session, token, csrfToken };
  }

  /**
   * The principal of a session cookie; null when the session is unknown, expired, revoked or its admin is
   * no longer one. A write without the session's CSRF token is CSRF_FAILED (checked before anything runs).
   */
  async authenticate(token: string, method: string, csrf: string | undefined): Promise<Principal | null> {
    const s = await this.sessions.findLive(sha256Hex(token));
    if (!s) return null;
    if (!READ_METHODS.has(method) && !(typeof csrf === 'string' && constantTimeEqual(sha256Hex(csrf), s.csrfHash))) {
      throw new DomainError(ErrorCode.CSRF_FAILED, 'This write needs the X-CSRF-Token of the session');
    }
    const ref = { id: s.id, telegramId: s.telegramId };
    let principal: Principal;
    if (s.kind === 'master') {
      if (s.telegramId !== null && !this.config.masterAdminTelegramIds.includes(s.telegramId)) return null;
      // Signed in with the master token: only while it is still the master token.
      if (
        s.telegramId === null &&
        !constantTimeEqual(s.sourceTokenHash ?? '', sha256Hex(this.config.MASTER_API_TOKEN))
      ) {
        return null;
      }
      principal = { kind: 'master', session: ref };
    } else if (s.telegramId !== null) {
      const role = await this.access.roleOf(s.botId!, s.telegramId);
      if (!role) return null;
      principal = { kind: 'tenant', botId: s.botId!, session: ref, admin: { telegramId: s.telegramId, role } };
    } else {
      // Signed in with a pasted token: only while that token is still the bot's (a rotation ends the session).
      const owner = s.sourceTokenHash ? await this.bots.tokenOwner(s.sourceTokenHash) : null;
      if (owner?.botId !== s.botId) return null;
      principal = { kind: 'tenant', botId: s.botId!, session: ref };
    }
    void this.sessions.touch(s.id).catch(() => undefined);
    return principal;
  }

  async list(p: Principal): Promise<ConsoleSessionEntity[]> {
    return this.sessions.list(scopeOf(p));
  }

  /** One of the caller's live sessions; NOT_FOUND for any other (another admin's, another bot's, ended). */
  async get(p: Principal, id: string): Promise<ConsoleSessionEntity> {
    const s = await this.sessions.findLiveInScope(id, scopeOf(p));
    if (!s) throw new DomainError(ErrorCode.NOT_FOUND, 'Session not found');
    return s;
  }

  /** Revokes one of the caller's sessions; NOT_FOUND for any other (another admin's, another bot's). */
  async revoke(p: Principal, id: string): Promise<void> {
    if (!(await this.sessions.revoke(id, scopeOf(p)))) throw new DomainError(ErrorCode.NOT_FOUND, 'Session not found');
  }

  /** Signs the calling session out; NOT_FOUND when the request did not come with a session. */
  async signOut(p: Principal): Promise<void> {
    if (!p.session) throw new DomainError(ErrorCode.NOT_FOUND, 'This request has no console session');
    await this.sessions.revoke(p.session.id, scopeOf(p));
  }

  /** The calling session, the bot's name and what the caller may do (for the console to show or hide). */
  async whoAmI(p: Principal): Promise<WhoAmI> {
    if (!p.session) throw new DomainError(ErrorCode.NOT_FOUND, 'This request has no console session');
    const session = await this.sessions.findLiveById(p.session.id);
    if (!session) throw new DomainError(ErrorCode.NOT_FOUND, 'Session not found');
    const botName = p.kind === 'tenant' ? (await this.settings.get(p.botId)).name : null;
    const permissions =
      p.kind === 'tenant' && p.admin
        ? ADMIN_PERMISSIONS.filter((perm) => roleAllows(p.admin!.role, perm))
        : [...ADMIN_PERMISSIONS];
    if (p.kind === 'tenant' && p.admin) session.role = p.admin.role;
    return { session, botName, permissions };
  }

  private async fromCode(code: string): Promise<SessionSubject | null> {
    const subject = await this.links.consume(code);
    if (!subject) return null;
    if (subject.kind === 'master') {
      if (!this.config.masterAdminTelegramIds.includes(subject.telegramId)) return null;
      return { kind: 'master', botId: null, telegramId: subject.telegramId, role: 'operator' };
    }
    const status = await this.bots.status(subject.botId);
    if (!status || status === 'deleted') return null;
    // The role as it is now, not as it was when the link was sent.
    const role = await this.access.roleOf(subject.botId, subject.telegramId);
    if (!role) return null;
    return { kind: 'tenant', botId: subject.botId, telegramId: subject.telegramId, role };
  }

  private async fromToken(token: string | undefined): Promise<SessionSubject | null> {
    if (!token) return null;
    if (constantTimeEqual(token, this.config.MASTER_API_TOKEN)) {
      return { kind: 'master', botId: null, telegramId: null, role: 'operator', sourceTokenHash: sha256Hex(token) };
    }
    if (!token.startsWith(API_TOKEN_PREFIX)) return null;
    const owner = await this.bots.tokenOwner(sha256Hex(token));
    if (!owner) return null;
    // A pasted token has the token's rights: the owner's.
    return { kind: 'tenant', botId: owner.botId, telegramId: null, role: 'owner', sourceTokenHash: sha256Hex(token) };
  }
}

type SessionSubject = Pick<ConsoleSessionEntity, 'kind' | 'botId' | 'telegramId' | 'role'> & {
  sourceTokenHash?: string;
};

/** Whose sessions the caller sees: an admin's own in their bot, a bot's (its token), or the master's. */
export function scopeOf(p: Principal): ConsoleSessionScope {
  if (p.kind === 'master') return { kind: 'master' };
  return { kind: 'tenant', botId: p.botId, telegramId: p.session?.telegramId ?? null };
}
