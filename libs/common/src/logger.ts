import { ClsServiceManager } from 'nestjs-cls';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { scrubSecrets, scrubValue } from './scrub';

/** Keys whose values are never logged, wherever they appear. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  // The console's sign-in sets the session cookie: pino-http logs response headers.
  'res.headers["set-cookie"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["idempotency-key"]',
  '*.token',
  '*.telegramBotToken',
  '*.apiToken',
  '*.password',
  '*.credentials',
  '*.secret',
];

/**
 * The CLS key of the bot a unit of work is about (set by the API's auth guard and by TenantDb.run): every
 * log line written inside it carries that bot id.
 */
export const CLS_BOT_ID = 'botfleet.botId';

/**
 * pino-pretty's options for development: one readable line per entry (time, level, message), the request and
 * the bot id still there; the same redaction and scrubbing happen before it (in the app's thread).
 */
export const PRETTY_LOG_OPTIONS = {
  colorize: true,
  translateTime: 'SYS:HH:MM:ss.l',
  ignore: 'pid,hostname',
  singleLine: true,
} as const;

/** The CLS key of the HTTP request a unit of work serves (its id, as the request's log line names it). */
export const CLS_REQUEST_ID = 'botfleet.requestId';

/**
 * Structured JSON logs: every line carries the bot id (and, inside an HTTP request, the request id) from the
 * tenant context when there is one; anything shaped like a token is scrubbed from messages, errors and URLs.
 * `pretty` (NODE_ENV=development) writes them through pino-pretty instead: readable, same content.
 *
 * nestjs-pino's request middleware (pino-http) is mounted on no route (`forRoutes: []`): it made two child
 * loggers and serialised the request on every call, whether or not its line was ever written (~5 % of a REST
 * read's CPU at LOG_LEVEL=warn). The API writes one line per request itself, from its response hook, only when
 * the level lets it through (`requestLogLevel`, apps/api/src/http); lines written during a request carry its id
 * from the tenant context (`CLS_REQUEST_ID`).
 */
export function pinoParams(level: string, app: string, pretty = false): Params {
  return {
    forRoutes: [],
    pinoHttp: {
      level,
      ...(pretty ? { transport: { target: 'pino-pretty', options: PRETTY_LOG_OPTIONS } } : {}),
      base: { app },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin() {
        const cls = ClsServiceManager.getClsService();
        if (!cls.isActive()) return {};
        const botId = cls.get<string | undefined>(CLS_BOT_ID);
        const reqId = cls.get<string | undefined>(CLS_REQUEST_ID);
        return botId ? (reqId ? { reqId, botId } : { botId }) : reqId ? { reqId } : {};
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => scrubValue(a)) as Parameters<typeof method>);
        },
      },
      serializers: {
        req: (req: IncomingMessage & { id?: unknown }) => ({
          id: req.id,
          method: req.method,
          url: scrubSecrets(req.url ?? ''),
        }),
        err: (err: unknown) => scrubValue(err),
      },
    },
  };
}

/** The level of a request's log line: errors and 5xx `error`, 4xx `warn`, the rest `info`. */
export function requestLogLevel(statusCode: number): 'error' | 'warn' | 'info' {
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

/** Requests whose success is not logged (probes and scrapes). */
export function quietRequest(url: string): boolean {
  return url.startsWith('/health') || url === '/metrics';
}
