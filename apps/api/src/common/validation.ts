import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';

/** Deeper JSON than this is refused before anything walks it (no DTO nests near this deep). */
export const MAX_INPUT_DEPTH = 32;
/** Keys that name inherited members: dropped or dangerous when copied onto objects, so refused outright. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** NUL (PostgreSQL text and jsonb cannot hold it) and UTF-16 surrogates without their pair. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (s: string): boolean => s.includes('\u0000') || LONE_SURROGATE.test(s);

/**
 * The first problem in a parsed body, query or path value that no DTO rule can see: text
 * PostgreSQL cannot store, an inherited-name key, nesting past MAX_INPUT_DEPTH. Iterative and
 * bounded, so a hostile document cannot exhaust the stack here.
 */
export function findUnsafeInput(value: unknown, root: string): { field: string; error: string } | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: root, depth: 0 }];
  let seen = 0;
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (++seen > 100_000) return { field: root, error: `${root} has too many values` };
    if (typeof v === 'string') {
      if (unstorable(v)) return { field: path, error: `${path} contains NUL or an unpaired UTF-16 surrogate` };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH)
      return { field: path, error: `${path} is nested deeper than ${MAX_INPUT_DEPTH} levels` };
    const isArray = Array.isArray(v);
    for (const key of Object.keys(v)) {
      const child = isArray ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!isArray && FORBIDDEN_KEYS.has(key)) return { field: child, error: `${key} is not an allowed key` };
      if (unstorable(key)) return { field: path || root, error: 'a key contains NUL or an unpaired UTF-16 surrogate' };
      stack.push({ v: (v as Record<string, unknown>)[key], path: child, depth: depth + 1 });
    }
  }
  return null;
}

/** Refuses what findUnsafeInput finds, before class-transformer walks the value. */
export function assertSafeInput(value: unknown, root: string): void {
  const bad = findUnsafeInput(value, root);
  if (bad) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Invalid request: ${bad.field}`, [
      { field: bad.field, errors: [bad.error] },
    ]);
  }
}

class SafeInputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') assertSafeInput(value, '');
    else if (metadata.type === 'query') assertSafeInput(value, '');
    else if (metadata.type === 'param') assertSafeInput(value, metadata.data ?? '');
    return super.transform(value, metadata);
  }
}

function flatten(errors: ValidationError[], parent = ''): { field: string; errors: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, errors: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Whitelist, forbid unknown fields, transform; a 400 naming every bad field (RELIABILITY.md 15).
 * Before any of it: no NUL or lone surrogates, no `__proto__`/`constructor`/`prototype` keys, no
 * nesting past MAX_INPUT_DEPTH (findUnsafeInput).
 */
export function createValidationPipe(): ValidationPipe {
  return new SafeInputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      return new DomainError(
        ErrorCode.VALIDATION_FAILED,
        `Invalid request: ${details.map((d) => d.field).join(', ')}`,
        details,
      );
    },
  });
}
