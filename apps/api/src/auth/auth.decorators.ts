import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Principal } from './principal';

export const AUTH_MODE = 'botfleet.authMode';
/** public: no auth at all; optional: auth parsed when present; master: master token only. Default: any valid token. */
export type AuthMode = 'public' | 'optional' | 'master';

export const Public = () => SetMetadata(AUTH_MODE, 'public' satisfies AuthMode);
export const OptionalAuth = () => SetMetadata(AUTH_MODE, 'optional' satisfies AuthMode);
export const MasterOnly = () => SetMetadata(AUTH_MODE, 'master' satisfies AuthMode);

export const ALLOW_DELETED_BOT = 'botfleet.allowDeletedBot';
/** A master-only route that acts on a deleted bot (restoring it): its `:botId` is not 404 for being deleted. */
export const AllowDeletedBot = () => SetMetadata(ALLOW_DELETED_BOT, true);

export type AuthedRequest = FastifyRequest<{ Params: Record<string, string | undefined> }> & { principal?: Principal };

/** The authenticated caller (undefined only on public/optional routes without a token). */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<AuthedRequest>().principal,
);
