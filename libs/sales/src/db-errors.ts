/** PostgreSQL unique_violation, optionally on a named constraint. */
export function isUniqueViolation(e: unknown, constraintPart?: string): boolean {
  const err = e as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
  const code = err?.code ?? err?.driverError?.code;
  const constraint = err?.constraint ?? err?.driverError?.constraint ?? '';
  return code === '23505' && (!constraintPart || constraint.includes(constraintPart));
}
