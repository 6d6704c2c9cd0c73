import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ClsService } from 'nestjs-cls';
import { CLS_BOT_ID, DomainError, ErrorCode, isUuid } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { API_TOKEN_PREFIX, constantTimeEqual, sha256Hex } from '@botfleet/secrets';
import { AUTH_MODE, AuthedRequest, AuthMode } from './auth.decorators';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { BotAccessCache } from './bot-access-cache';
import { Principal } from './principal';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates every request (API.md "Auth"): the master token by constant-time compare,
 * tenant tokens by SHA-256 lookup. On routes with `:botId`, a tenant may reach only its own
 * bot and anything else is 404 (never 403), so other tenants' ids are not revealed. The bot id
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
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const mode =
      this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE, [ctx.getHandler(), ctx.getClass()]) ?? 'any';
    if (mode === 'public') return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    if (!header && mode === 'optional') return true;

    const principal = await this.authenticate(req, header);
    req.principal = principal;
    if (mode === 'master' && principal.kind !== 'master') {
      throw new DomainError(ErrorCode.FORBIDDEN, 'This endpoint needs the master token');
    }
    assertIdParams(req.params);
    const botId = req.params?.botId as string | undefined;
    if (botId !== undefined) await this.authorizeBot(principal, botId, req.method);
    return true;
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

  private async authorizeBot(principal: Principal, botId: string, method: string): Promise<void> {
    const notFound = () => new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
    if (!isUuid(botId)) throw notFound();
    if (principal.kind === 'tenant' && principal.botId !== botId) throw notFound();
    const status = await this.bots.status(botId);
    if (!status || status === 'deleted') throw notFound();
    if (principal.kind === 'tenant' && status === 'suspended' && !READ_METHODS.has(method)) {
      throw new DomainError(ErrorCode.BOT_SUSPENDED, 'This bot is suspended by the platform; changes are not possible');
    }
    this.cls.set(CLS_BOT_ID, botId);
  }
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
