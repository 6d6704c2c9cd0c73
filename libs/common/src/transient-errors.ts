/** SQLSTATE codes that mean "try again later", not "this update is broken". */
const TRANSIENT_SQLSTATE = /^(08|53|57P0[123]|40001|40P01|55P03|57014)/;
const TRANSIENT_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Connection is not established|ECONNREFUSED|ECONNRESET|the database system is (starting up|shutting down)/i;

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
