/** SQLSTATE codes that mean "try again later", not "this update is broken". */
const TRANSIENT_SQLSTATE = /^(08|53|57P0[123]|40001|40P01|55P03|57014)/;
const TRANSIENT_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Connection is not established|ECONNREFUSED|ECONNRESET|the database system is (starting up|shutting down)|Query read timeout|Command timed out|Reached the max retries per request limit|Stream isn't writeable|Connection is closed/i;

/**
 * A dependency (Redis, PostgreSQL, the queue) gave no answer within its bound: transient, so a request answers
 * 503 DEPENDENCY_DOWN with Retry-After and an update is retried. `dependency` is our own word, never driver text.
 */
export class DependencyTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly dependency: 'redis' | 'postgres' | 'queue',
    ms: number,
  ) {
    super(`${dependency} gave no answer within ${ms} ms`);
    this.name = 'DependencyTimeoutError';
  }
}

/** `work`, or a DependencyTimeoutError once `ms` have passed without its answer (the work itself goes on). */
export async function withDependencyTimeout<T>(
  dependency: DependencyTimeoutError['dependency'],
  ms: number,
  work: Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DependencyTimeoutError(dependency, ms)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a failure comes from the infrastructure (PostgreSQL restarting, the pool exhausted, a deadlock,
 * a serialization failure, a timeout) rather than from the input. The transaction rolled back, so the
 * work can simply be tried again: a bot update is retried until it goes through (RELIABILITY.md 12, 13),
 * a REST request answers 503 with Retry-After.
 */
export function isTransientError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; driverError?: { code?: unknown }; message?: unknown };
  const code = typeof e.driverError?.code === 'string' ? e.driverError.code : typeof e.code === 'string' ? e.code : '';
  if (code && (TRANSIENT_SQLSTATE.test(code) || /^E[A-Z]+$/.test(code))) return true;
  return typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message);
}
