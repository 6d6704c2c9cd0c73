import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ErrorCode } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { QueueName } from '@botfleet/jobs';
import { API_TOKEN_PREFIX, constantTimeEqual, sha256Hex } from '@botfleet/secrets';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter';
import { BotAccessCache } from '../auth/bot-access-cache';
import { ConsoleSessionsService, SESSION_COOKIE } from '../sessions/console-sessions.service';

/** Where the queue dashboard (Bull Board) is served. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** Every queue of the platform, as the dashboard lists them (in QueueName order). */
export function dashboardQueues(app: NestFastifyApplication): Queue[] {
  return Object.values(QueueName).map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
}

export type DashboardAccess = 'operator' | 'hidden' | 'unauthorized';

/**
 * Who may open the dashboard: only the operator. The master token as `Authorization: Bearer <token>`, or as the
 * password of HTTP Basic auth (any user name) so a browser can ask for it. A tenant's valid API token gets a
 * 404 (the dashboard is not there for tenants); no credential or a wrong one, a 401.
 */
export async function dashboardAccess(
  header: string | undefined,
  masterToken: string,
  isTenantToken: (token: string) => Promise<boolean>,
): Promise<DashboardAccess> {
  const token = credentialOf(header);
  if (!token) return 'unauthorized';
  if (constantTimeEqual(token, masterToken)) return 'operator';
  if (token.startsWith(API_TOKEN_PREFIX) && (await isTenantToken(token))) return 'hidden';
  return 'unauthorized';
}

function credentialOf(header: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}

/**
 * The web console's session cookie: an operator's (master) session opens the dashboard, a tenant's gets the 404
 * a tenant token gets. Bull Board's own page sends no CSRF token, so its writes (retry, clean …) by cookie must
 * come from this origin (the browser's Origin header); the cookie is SameSite=Strict besides.
 */
async function sessionAccess(
  sessions: ConsoleSessionsService,
  req: FastifyRequest,
  cookie: string,
): Promise<DashboardAccess> {
  const read = ['GET', 'HEAD', 'OPTIONS'].includes(req.method);
  if (!read && !sameOrigin(req)) return 'unauthorized';
  const principal = await sessions.authenticate(cookie, 'GET', undefined).catch(() => null);
  if (!principal) return 'unauthorized';
  return principal.kind === 'master' ? 'operator' : 'hidden';
}

function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || !req.headers.host) return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Mounts Bull Board at /admin/queues for the operator: every queue of QueueName, with the same failed-credential
 * limit per address as the REST API (a wrong token counts; past the limit even the right one is refused).
 */
export async function mountQueueDashboard(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const limiter = app.get(AuthFailureLimiter, { strict: false });
  const bots = app.get(BotAccessCache, { strict: false });
  const sessions = app.get(ConsoleSessionsService, { strict: false });
  const board = new BullBoardFastifyAdapter();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: dashboardQueues(app).map((q) => new BullMQAdapter(q)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'botfleet queues' } },
  });
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    const address = AuthFailureLimiter.addressOf(req);
    try {
      await limiter.assertAllowed(address);
    } catch (err) {
      if (!DomainError.is(err, ErrorCode.RATE_LIMITED)) throw err;
      return reply
        .code(429)
        .header('Retry-After', '60')
        .send({ error: { code: err.code, message: err.message } });
    }
    const cookie = req.headers.authorization ? undefined : (req.cookies?.[SESSION_COOKIE] ?? undefined);
    const access = cookie
      ? await sessionAccess(sessions, req, cookie)
      : await dashboardAccess(req.headers.authorization, config.MASTER_API_TOKEN, async (token) =>
          Boolean(await bots.tokenOwner(sha256Hex(token))),
        );
    if (access === 'operator') return;
    if (access === 'hidden')
      return reply.code(404).send({ error: { code: ErrorCode.NOT_FOUND, message: 'Not found' } });
    if (req.headers.authorization || cookie) await limiter.recordFailure(address);
    return reply
      .code(401)
      .header('WWW-Authenticate', 'Basic realm="botfleet queues", charset="UTF-8"')
      .send({ error: { code: ErrorCode.UNAUTHORIZED, message: 'The queue dashboard needs the master token' } });
  };
  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onRequest', guard);
    await scope.register(board.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  });
}
