import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthedRequest } from './auth.decorators';

/**
 * Per-token request limit of the REST API (API_RATE_LIMIT_PER_MINUTE): one budget per tenant bot and one for
 * the master token, across every route and API process, so one tenant's script cannot starve the others.
 * Runs after the auth guard; requests without a principal (public routes, onboarding with an invite) are
 * left to the failed-credential limiter. Past the limit: 429 RATE_LIMITED with Retry-After.
 */
@Injectable()
export class TokenRateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(ctx: ExecutionContext): Promise<boolean> {
    return ctx.getType() !== 'http' || !ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = (req as unknown as AuthedRequest).principal;
    return principal?.kind === 'tenant' ? `bot:${principal.botId}` : 'master';
  }

  protected override generateKey(_ctx: ExecutionContext, tracker: string, throttler: string): string {
    return `${throttler}:${tracker}`;
  }
}
