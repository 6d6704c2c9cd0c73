import { randomUUID } from 'node:crypto';

/** The bits of an OpenAPI 3 document the generated tests read. */
export interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}
export interface OpenApiOperation {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, unknown>;
}
export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  minLength?: number;
  minItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface Operation {
  method: HttpMethod;
  path: string;
  op: OpenApiOperation;
}

export function operations(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) if (item[method]) out.push({ method, path, op: item[method] });
  }
  return out;
}

export const pathParams = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);

/** Ids of rows (as opposed to keys such as `{key}`): `{id}`, `{cardId}`, `{planId}`, … */
export const isIdParam = (name: string): boolean => /(^id$|Id$)/.test(name);

export function resolve(doc: OpenApiDoc, s: Schema | undefined): Schema {
  let cur = s ?? {};
  for (let i = 0; i < 10; i++) {
    if (cur.$ref) cur = doc.components?.schemas?.[cur.$ref.split('/').pop()!] ?? {};
    else if (cur.allOf?.length === 1) cur = { ...cur.allOf[0], ...{ ...cur, allOf: undefined } };
    else break;
  }
  return cur;
}

export function bodySchema(doc: OpenApiDoc, op: OpenApiOperation): Schema | undefined {
  const s = op.requestBody?.content?.['application/json']?.schema;
  return s ? resolve(doc, s) : undefined;
}

/**
 * A plausible valid value for a schema, from its examples first: the documented example is the
 * contract, so a DTO whose example does not validate shows up as a failing test.
 */
export function sample(doc: OpenApiDoc, schema: Schema | undefined, depth = 0): unknown {
  const s = resolve(doc, schema);
  if (s.example !== undefined) return s.example;
  if (s.default !== undefined) return s.default;
  if (s.enum?.length) return s.enum[0];
  if (depth > 5) return undefined;
  switch (s.type) {
    case 'integer':
    case 'number':
      return s.minimum !== undefined && s.minimum > 1 ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      return s.minItems ? Array.from({ length: s.minItems }, () => sample(doc, s.items, depth + 1)) : [];
    case 'string':
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    default: {
      if (!s.properties) return {};
      const out: Record<string, unknown> = {};
      const names = Object.keys(s.properties);
      for (const name of names) {
        const p = resolve(doc, s.properties[name]);
        if (s.required?.includes(name) || p.example !== undefined) out[name] = sample(doc, p, depth + 1);
      }
      // An object of optional fields (e.g. a name per language) gets at least one.
      if (!Object.keys(out).length && names.length) out[names[0]] = sample(doc, s.properties[names[0]], depth + 1);
      return out;
    }
  }
}
