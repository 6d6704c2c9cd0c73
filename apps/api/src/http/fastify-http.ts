import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { httpRequestDuration, quietRequest, requestLogLevel, scrubSecrets } from '@botfleet/common';
import { JSON_BODY_LIMIT, registerJsonParser, requireJsonBodies } from './json-body';
import { MULTIPART_LIMITS } from './multipart';

/**
 * The API's Fastify instance. `trustProxy` takes TRUST_PROXY as parsed by AppConfig (false, a hop count or a
 * list of addresses/CIDRs/loopback…; the same proxy-addr rules Express used), so `req.ip` is the client only
 * behind the proxies named there. Fastify's own logger is off: the response hook logs every request.
 */
export function createFastifyAdapter(opts: { trustProxy: false | number | string[] }): FastifyAdapter {
  return new FastifyAdapter({
    trustProxy: opts.trustProxy,
    bodyLimit: JSON_BODY_LIMIT,
    logger: false,
    // Express answered /v1/bots/ like /v1/bots; path parameters are checked by the guards, not cut at 100 chars.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
  });
}

/**
 * Everything the HTTP layer needs before `init()`: the JSON-only rule (415 before parsing), the one JSON parser
 * (raw body kept), cookies (the console's session), multipart (uploads, only on `@AcceptsMultipart()` routes),
 * the request-duration histogram by route pattern and the request's log line.
 */
export async function configureFastify(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const log = await requestLogger(app);
  fastify.addHook('onRequest', requireJsonBodies);
  fastify.addHook('onResponse', (req, reply, done) => {
    recordDuration(req, reply);
    logRequest(log, req, reply);
    done();
  });
  registerJsonParser(fastify);
  fastify.removeContentTypeParser(['text/plain']);
  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: MULTIPART_LIMITS, throwFileSizeLimit: true });
}

/**
 * Nest inits the app (routes, middleware); Fastify then loads its plugins. Both are needed before a request can
 * be served by `app.getHttpServer()` (tests) — `listen()` does the second on its own.
 */
export async function initFastifyApp<T extends { init(): Promise<unknown>; getHttpAdapter(): unknown }>(
  app: T,
): Promise<T> {
  await app.init();
  await (app.getHttpAdapter() as FastifyAdapter).getInstance().ready();
  return app;
}

/** The app's pino logger (nestjs-pino); a test module without LoggerModule logs no requests. */
async function requestLogger(app: NestFastifyApplication): Promise<PinoLogger['logger']> {
  try {
    return (await app.resolve(PinoLogger, undefined, { strict: false })).logger;
  } catch {
    return pino({ level: 'silent' });
  }
}

function recordDuration(req: FastifyRequest, reply: FastifyReply): void {
  httpRequestDuration.observe(
    { method: req.method, route: req.routeOptions?.url ?? 'unmatched', status: reply.statusCode },
    reply.elapsedTime / 1000,
  );
}

/**
 * One line per request (`request completed`, as pino-http wrote it): 5xx as errors, 4xx as warnings, the rest at
 * info — probes and scrapes only when they fail. Nothing is built unless the level lets the line through.
 */
export function logRequest(log: PinoLogger['logger'], req: FastifyRequest, reply: FastifyReply): void {
  const status = reply.statusCode;
  const level = requestLogLevel(status);
  if (!log.isLevelEnabled(level) || (level === 'info' && quietRequest(req.url))) return;
  log[level](
    {
      req: { id: req.id, method: req.method, url: scrubSecrets(req.url) },
      res: { statusCode: status },
      responseTime: Math.round(reply.elapsedTime),
    },
    'request completed',
  );
}
