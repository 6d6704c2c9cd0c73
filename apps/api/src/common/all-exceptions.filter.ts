import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { DomainError, ErrorCode, isTransientError, scrubSecrets } from '@botfleet/common';
import { httpStatusFor } from './error-status';

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'RATE_LIMITED',
  503: 'DEPENDENCY_DOWN',
};

/**
 * Every error leaves as `{ error: { code, message, details } }` (API.md). Expected errors
 * pass through with their status; anything unexpected is a 500 with an errorId that is
 * also in the log, and never echoes internals (or secrets) to the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<FastifyReply>();
    if (res.sent) return;
    const { status, body, headers } = this.describe(exception);
    for (const [k, v] of Object.entries(headers)) void res.header(k, v);
    // A route may have set another type already (metrics: text/plain); the error is JSON whatever it was.
    void res.status(status).type('application/json; charset=utf-8').send(body);
  }

  private describe(exception: unknown): { status: number; body: unknown; headers: Record<string, string> } {
    const headers: Record<string, string> = {};
    if (exception instanceof DomainError) {
      const status = httpStatusFor(exception.code);
      if (status === HttpStatus.UNAUTHORIZED) headers['WWW-Authenticate'] = 'Bearer';
      return {
        status,
        headers,
        body: { error: { code: exception.code, message: exception.message, details: exception.details } },
      };
    }
    if (exception instanceof ThrottlerException) {
      return {
        status: 429,
        headers,
        body: { error: { code: ErrorCode.RATE_LIMITED, message: 'Too many requests, slow down' } },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const r = exception.getResponse();
      const message = typeof r === 'string' ? r : ((r as { message?: unknown }).message ?? exception.message);
      return {
        status,
        headers,
        body: {
          error: {
            // A 400 that did not come from our validation pipe is still bad input (e.g. malformed JSON).
            code:
              status === 400
                ? ErrorCode.VALIDATION_FAILED
                : (STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'ERROR')),
            message: Array.isArray(message) ? message.join('; ') : String(message),
          },
        },
      };
    }
    // The HTTP server's own refusals (a malformed or too large body, a bad URL) carry a 4xx and are the client's fault.
    const bp = exception as { statusCode?: number; status?: number; message?: string };
    const bpStatus = bp?.statusCode ?? bp?.status;
    if (typeof bpStatus === 'number' && bpStatus >= 400 && bpStatus < 500) {
      return {
        status: bpStatus,
        headers,
        body: {
          error: {
            code:
              bpStatus === 400 ? ErrorCode.VALIDATION_FAILED : (STATUS_CODES[bpStatus] ?? ErrorCode.VALIDATION_FAILED),
            message:
              exception instanceof SyntaxError ? 'Body is not valid JSON' : scrubSecrets(bp.message ?? 'Bad request'),
          },
        },
      };
    }
    const errorId = randomUUID();
    const rejected = inputRejectedByDatabase(exception);
    if (rejected) {
      // The database refused a value the request carried (too long, out of range, not storable): bad input, not a bug.
      this.logger.warn({ errorId, sqlstate: rejected.code }, 'Input refused by the database');
      return {
        status: 400,
        headers,
        body: {
          error: {
            code: ErrorCode.VALIDATION_FAILED,
            message: 'Invalid request: a value is out of range or cannot be stored',
            details: [{ field: rejected.field, errors: ['out of range, too long or not storable'] }],
          },
        },
      };
    }
    if (isTransientError(exception)) {
      // A deadlock, a serialization failure, the database restarting: rolled back, nothing changed; retry.
      this.logger.warn({ errorId, err: exception }, 'Transient infrastructure error');
      headers['Retry-After'] = '1';
      return {
        status: 503,
        headers,
        body: {
          error: {
            code: ErrorCode.DEPENDENCY_DOWN,
            message: 'Temporarily unavailable, nothing was changed; try again',
            details: { errorId },
          },
        },
      };
    }
    this.logger.error({ errorId, err: exception }, 'Unhandled error');
    return {
      status: 500,
      headers,
      body: { error: { code: 'INTERNAL', message: 'Something went wrong on our side', details: { errorId } } },
    };
  }
}

/**
 * SQLSTATEs that a value from the request causes: class 22 (data exception: invalid byte sequence,
 * value too long, numeric out of range, invalid text representation, …) and 23514 (check violation).
 */
const INPUT_SQLSTATE = /^(22[0-9A-Z]{3}|23514)$/;

function inputRejectedByDatabase(err: unknown): { code: string; field: string } | null {
  if (typeof err !== 'object' || err === null) return null;
  type PgDetail = { code?: unknown; column?: unknown; table?: unknown; constraint?: unknown };
  const e = err as PgDetail & { driverError?: PgDetail };
  const code = typeof e.driverError?.code === 'string' ? e.driverError.code : typeof e.code === 'string' ? e.code : '';
  if (!INPUT_SQLSTATE.test(code)) return null;
  const column = e.driverError?.column ?? e.column ?? rangeColumn(e.driverError ?? e);
  // The column as the API spells its fields (snake_case → camelCase), when PostgreSQL names one.
  const field =
    typeof column === 'string' && column ? column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : 'request';
  return { code, field };
}

/** A violated range CHECK is named `<table>_<column>_range` (migration NumericRanges): the column it guards. */
function rangeColumn(d: { table?: unknown; constraint?: unknown }): string | undefined {
  if (typeof d.table !== 'string' || typeof d.constraint !== 'string') return undefined;
  const prefix = `${d.table}_`;
  if (!d.constraint.startsWith(prefix) || !d.constraint.endsWith('_range')) return undefined;
  return d.constraint.slice(prefix.length, -'_range'.length) || undefined;
}
