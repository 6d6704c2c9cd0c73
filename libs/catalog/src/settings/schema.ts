import { isUuid } from '@botfleet/common';

/**
 * A small JSON-schema-like validator for configuration values and feature configs: enough
 * to describe every key precisely and report each bad path, nothing more.
 */
export type Schema =
  | {
      type: 'string';
      minLength?: number;
      maxLength: number;
      pattern?: RegExp;
      enum?: readonly string[];
      nullable?: boolean;
    }
  | { type: 'integer'; minimum: number; maximum: number; nullable?: boolean }
  | { type: 'boolean'; nullable?: boolean }
  | { type: 'uuid'; nullable?: boolean }
  | { type: 'array'; items: Schema; minItems?: number; maxItems: number; unique?: boolean; nullable?: boolean }
  | { type: 'object'; properties: Record<string, Schema>; required?: readonly string[]; nullable?: boolean };

export interface SchemaProblem {
  field: string;
  errors: string[];
}

/** Returns every problem of `value` against `schema` (empty = valid). Unknown object keys are problems. */
export function validateSchema(schema: Schema, value: unknown, path = 'value'): SchemaProblem[] {
  const bad = (msg: string): SchemaProblem[] => [{ field: path, errors: [msg] }];
  if (value === null || value === undefined) return schema.nullable && value === null ? [] : bad('is required');
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') return bad('must be a string');
      if (schema.enum && !schema.enum.includes(value)) return bad(`must be one of: ${schema.enum.join(', ')}`);
      if (value.length > schema.maxLength) return bad(`must be at most ${schema.maxLength} characters`);
      if (schema.minLength !== undefined && value.length < schema.minLength)
        return bad(`must be at least ${schema.minLength} characters`);
      if (schema.pattern && !schema.pattern.test(value)) return bad('has an invalid format');
      return [];
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad('must be an integer');
      if (value < schema.minimum || value > schema.maximum)
        return bad(`must be between ${schema.minimum} and ${schema.maximum}`);
      return [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : bad('must be a boolean');
    case 'uuid':
      return isUuid(value) ? [] : bad('must be a UUID');
    case 'array': {
      if (!Array.isArray(value)) return bad('must be an array');
      if (value.length > schema.maxItems) return bad(`must have at most ${schema.maxItems} items`);
      if (schema.minItems !== undefined && value.length < schema.minItems)
        return bad(`must have at least ${schema.minItems} items`);
      if (schema.unique && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
        return bad('must not repeat items');
      return value.flatMap((v, i) => validateSchema(schema.items, v, `${path}[${i}]`));
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return bad('must be an object');
      const obj = value as Record<string, unknown>;
      const problems: SchemaProblem[] = [];
      for (const k of Object.keys(obj))
        if (!(k in schema.properties)) problems.push({ field: `${path}.${k}`, errors: ['is not allowed'] });
      for (const [k, s] of Object.entries(schema.properties)) {
        if (obj[k] === undefined) {
          if (schema.required?.includes(k)) problems.push({ field: `${path}.${k}`, errors: ['is required'] });
          continue;
        }
        problems.push(...validateSchema(s, obj[k], `${path}.${k}`));
      }
      return problems;
    }
  }
}

/** A plain description of a schema for the API and OpenAPI (RegExp shown as its source). */
export function describeSchema(schema: Schema): unknown {
  return JSON.parse(JSON.stringify(schema, (_k, v: unknown) => (v instanceof RegExp ? v.source : v)));
}
