import { DomainError, ErrorCode } from '@botfleet/common';
import { Schema, SchemaProblem, validateSchema } from './settings/schema';

/** The largest amount in minor units we accept anywhere (well inside a safe JS integer). */
export { MAX_MINOR } from '@botfleet/common';

/**
 * Validates an input object field by field against `fields` (unknown fields are problems too)
 * and throws VALIDATION_FAILED naming every bad field, so nothing is written on bad input.
 */
export function assertFields(
  fields: Record<string, Schema>,
  input: unknown,
  required: readonly string[] = [],
  extra: SchemaProblem[] = [],
): void {
  const problems = validateSchema({ type: 'object', properties: fields, required }, input, '')
    .map((p) => ({ ...p, field: p.field.replace(/^\./, '') }))
    .concat(extra);
  if (problems.length) {
    throw new DomainError(
      ErrorCode.VALIDATION_FAILED,
      `Invalid request: ${problems.map((p) => p.field).join(', ')}`,
      problems,
    );
  }
}
