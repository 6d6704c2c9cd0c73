import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ErrorCode } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { AuthFailureLimiter, CurrentPrincipal, Principal, Public } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { ConsoleSessionsService, SESSION_COOKIE } from './console-sessions.service';
import {
  ConsoleSessionCreatedDto,
  ConsoleSessionDto,
  ConsoleSessionListDto,
  ConsoleWhoAmIDto,
  CreateConsoleSessionDto,
} from './dto/console-session.dto';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Session not found'),
});

/**
 * The web console's sign-in (API.md "Sessions"): a one-time link code from a bot's /admin (or a pasted API
 * token) becomes an HttpOnly session cookie; the caller's sessions are listed and revoked; sign-out clears it.
 */
@ApiTags('sessions')
@ApiBearerAuth()
@ApiCookieAuth(SESSION_COOKIE)
@Controller('v1/sessions')
export class SessionsController {
  constructor(
    private readonly sessions: ConsoleSessionsService,
    private readonly limiter: AuthFailureLimiter,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @Public()
  @ApiOperation({
    summary: 'Sign in to the web console',
    description:
      'With `{ code }` from the one-time link a bot sent to its admin (single use, expires in minutes), or with ' +
      '`{ apiToken }`. Sets the `bf_session` cookie (HttpOnly, SameSite=Strict, Secure outside development). ' +
      'A used, expired or unknown code: 401 SIGN_IN_CODE_INVALID; a wrong token: 401 UNAUTHORIZED (both count ' +
      'as failed authentications of the address).',
  })
  @ApiResponse({ status: 201, type: ConsoleSessionCreatedDto })
  @ApiErrors(400, 401, 429)
  async create(
    @Body() dto: CreateConsoleSessionDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<ConsoleSessionCreatedDto> {
    if ((dto.code === undefined) === (dto.apiToken === undefined)) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Invalid request: give either code or apiToken', [
        { field: 'code', errors: ['exactly one of code and apiToken is required'] },
      ]);
    }
    const address = AuthFailureLimiter.addressOf(req);
    await this.limiter.assertAllowed(address);
    const signedIn = await this.sessions.signIn(dto, req.headers['user-agent']);
    if (!signedIn) {
      await this.limiter.recordFailure(address);
      throw dto.code !== undefined
        ? new DomainError(
            ErrorCode.SIGN_IN_CODE_INVALID,
            'This sign-in link was used already, has expired or is unknown',
          )
        : new DomainError(ErrorCode.UNAUTHORIZED, 'Invalid API token');
    }
    void res.setCookie(SESSION_COOKIE, signedIn.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.consoleCookieSecure,
      path: '/',
      expires: signedIn.session.expiresAt,
    });
    return { session: ConsoleSessionDto.of(signedIn.session, signedIn.session.id), csrfToken: signedIn.csrfToken };
  }

  @Get()
  @ApiOperation({
    summary: "The caller's live sessions",
    description:
      "A bot admin's session sees that admin's sessions in that bot; a tenant token (or a pasted-token session) " +
      "the bot's sessions; the master the master's.",
  })
  @ApiResponse({ status: 200, type: ConsoleSessionListDto })
  @ApiErrors(401)
  async list(@CurrentPrincipal() p: Principal): Promise<ConsoleSessionListDto> {
    return { items: (await this.sessions.list(p)).map((s) => ConsoleSessionDto.of(s, p.session?.id)) };
  }

  @Get('current')
  @ApiOperation({ summary: 'Who is signed in: the session, the bot, the permissions (the CSRF token is not re-sent)' })
  @ApiResponse({ status: 200, type: ConsoleWhoAmIDto })
  @ApiErrors(401, 404)
  async current(@CurrentPrincipal() p: Principal): Promise<ConsoleWhoAmIDto> {
    const me = await this.sessions.whoAmI(p);
    return {
      session: ConsoleSessionDto.of(me.session, me.session.id),
      botName: me.botName,
      permissions: me.permissions,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: "One of the caller's live sessions (another's, or one that ended: 404)" })
  @ApiResponse({ status: 200, type: ConsoleSessionDto })
  @ApiErrors(401, 404)
  async getOne(@CurrentPrincipal() p: Principal, @Param('id', notFoundOnBadId) id: string): Promise<ConsoleSessionDto> {
    return ConsoleSessionDto.of(await this.sessions.get(p, id), p.session?.id);
  }

  @Delete('current')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: the session ends and the cookie is cleared' })
  @ApiResponse({ status: 204 })
  @ApiErrors(401, 403, 404)
  async signOut(@CurrentPrincipal() p: Principal, @Res({ passthrough: true }) res: FastifyReply): Promise<void> {
    await this.sessions.signOut(p);
    void res.clearCookie(SESSION_COOKIE, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.consoleCookieSecure,
      path: '/',
    });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: "Revoke one of the caller's sessions (another's: 404)" })
  @ApiResponse({ status: 204 })
  @ApiErrors(401, 403, 404)
  async revoke(@CurrentPrincipal() p: Principal, @Param('id', notFoundOnBadId) id: string): Promise<void> {
    await this.sessions.revoke(p, id);
  }
}
