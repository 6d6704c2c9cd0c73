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

/**
 * Structured JSON logs: every line carries the bot id from the tenant context when there
 * is one; anything shaped like a token is scrubbed from messages, errors and URLs. `pretty`
 * (NODE_ENV=development) writes them through pino-pretty instead: readable, same content.
 */
export function pinoParams(level: string, app: string, pretty = false): Params {
  return {
    pinoHttp: {
      level,
      ...(pretty ? { transport: { target: 'pino-pretty', options: PRETTY_LOG_OPTIONS } } : {}),
      base: { app },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin() {
        const cls = ClsServiceManager.getClsService();
        const botId = cls.isActive() ? cls.get<string | undefined>(CLS_BOT_ID) : undefined;
        return botId ? { botId } : {};
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
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    },
  };
}
