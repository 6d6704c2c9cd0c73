import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ClsService } from 'nestjs-cls';
import { roleAllows } from '@botfleet/bots';
import { CLS_BOT_ID, DomainError, ErrorCode, isUuid } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { API_TOKEN_PREFIX, constantTimeEqual, sha256Hex } from '@botfleet/secrets';
import { ALLOW_DELETED_BOT, AUTH_MODE, AuthedRequest, AuthMode } from './auth.decorators';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { BotAccessCache } from './bot-access-cache';
import { Principal } from './principal';
import { ANY_ADMIN, routeRequirement } from './route-permissions';
import { ConsoleSessionsService, CSRF_HEADER, SESSION_COOKIE } from '../sessions/console-sessions.service';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates every request (API.md "Auth"): the master token by constant-time compare,
 * tenant tokens by SHA-256 lookup, or else the web console's session cookie (a bearer header wins;
 * cookie-authenticated writes need the session's X-CSRF-Token). On routes with `:botId`, a tenant may
 * reach only its own bot and anything else is 404 (never 403), so other tenants' ids are not revealed.
 * A bot admin's session is held to the admin's role per route (route-permissions.ts). The bot id
 * then travels in the CLS context for the rest of the request.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly bots: BotAccessCache,
    private readonly cls: ClsService,
    private readonly limiter: AuthFailureLimiter,
    private readonly sessions: ConsoleSessionsService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const mode =
      this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE, [ctx.getHandler(), ctx.getClass()]) ?? 'any';
    if (mode === 'public') return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    const cookie = header ? undefined : sessionCookieOf(req);
    if (!header && !cookie && mode === 'optional') return true;

    const principal = cookie ? await this.authenticateSession(req, cookie) : await this.authenticate(req, header);
    req.principal = principal;
    if (mode === 'master' && principal.kind !== 'master') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'This endpoint needs the master token');
    }
    assertIdParams(req.params);
    const botId = req.params?.botId as string | undefined;
    if (botId !== undefined) {
      const deletedToo =
        principal.kind === 'master' &&
        this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_DELETED_BOT, [ctx.getHandler(), ctx.getClass()]) ===
          true;
      await this.authorizeBot(principal, botId, req.method, deletedToo);
    }
    if (principal.kind === 'tenant' && principal.admin) this.authorizeRole(principal.admin.role, req);
    return true;
  }

  private async authenticateSession(req: AuthedRequest, token: string): Promise<Principal> {
    const address = AuthFailureLimiter.addressOf(req);
    await this.limiter.assertAllowed(address);
    const csrf = req.headers[CSRF_HEADER];
    const principal = await this.sessions.authenticate(token, req.method, typeof csrf === 'string' ? csrf : undefined);
    // An unknown or ended session is not counted as a failure: a cookie is 256 random bits (nothing to guess),
    // and a tab left open with an ended session would otherwise lock its whole address (a NAT) out.
    if (!principal) {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'The console session has ended; sign in again');
    }
    return principal;
  }

  /** A bot admin's session may call a route only when their role grants what the route needs. */
  private authorizeRole(role: Parameters<typeof roleAllows>[0], req: AuthedRequest): void {
    const need = routeRequirement(req.method, req.routeOptions?.url, req.params ?? {});
    if (need === ANY_ADMIN) return;
    if (need === undefined || !roleAllows(role, need)) {
      throw new DomainError(ErrorCode.FORBIDDEN, `The ${role} role may not do this`, { role, permission: need });
    }
  }

  private async authenticate(req: AuthedRequest, header: string | undefined): Promise<Principal> {
    // First, for every token: past the limit even a right guess is refused, so guessing learns nothing.
    const address = AuthFailureLimiter.addressOf(req);
    await this.limiter.assertAllowed(address);
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    const token = match?.[1];
    if (token && constantTimeEqual(token, this.config.MASTER_API_TOKEN)) return { kind: 'master' };
    // Tenant tokens by SHA-256, answered from the bot access cache when this process verified it lately.
    const owner = token?.startsWith(API_TOKEN_PREFIX) ? await this.bots.tokenOwner(sha256Hex(token)) : null;
    if (!owner) {
      await this.limiter.recordFailure(address);
      throw new DomainError(ErrorCode.UNAUTHORIZED, header ? 'Invalid API token' : 'Missing bearer token');
    }
    return { kind: 'tenant', botId: owner.botId };
  }

  private async authorizeBot(principal: Principal, botId: string, method: string, deletedToo = false): Promise<void> {
    const notFound = () => new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
    if (!isUuid(botId)) throw notFound();
    if (principal.kind === 'tenant' && principal.botId !== botId) throw notFound();
    const status = await this.bots.status(botId);
    if (!status || (status === 'deleted' && !deletedToo)) throw notFound();
    if (principal.kind === 'tenant' && status === 'suspended' && !READ_METHODS.has(method)) {
      throw new DomainError(ErrorCode.BOT_SUSPENDED, 'This bot is suspended by the platform; changes are not possible');
    }
    this.cls.set(CLS_BOT_ID, botId);
  }
}

function sessionCookieOf(req: AuthedRequest): string | undefined {
  const value = (req as { cookies?: Record<string, string | undefined> }).cookies?.[SESSION_COOKIE];
  return value ? value : undefined;
}

/** Path parameters that are row ids (`id`, `botId`, `planId`, …): a 400 naming the one that is not a UUID. */
function assertIdParams(params: Record<string, unknown> | undefined): void {
  for (const [name, value] of Object.entries(params ?? {})) {
    if (/(^id$|Id$)/.test(name) && !isUuid(value)) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, `Invalid request: ${name}`, [
        { field: name, errors: [`${name} must be a UUID`] },
      ]);
    }
  }
}
