import { QueryFailedError } from 'typeorm';

/** The name of the unique constraint (or index) a write violated, if that is why it failed. */
export function uniqueViolation(err: unknown): string | undefined {
  if (!(err instanceof QueryFailedError)) return undefined;
  const d = err.driverError as { code?: string; constraint?: string };
  return d?.code === '23505' ? (d.constraint ?? '') : undefined;
}
