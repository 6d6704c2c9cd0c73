import { scrubSecrets } from './scrub';

/**
 * A short, loggable description of anything thrown: `Name: message` (with the code, when the error
 * has one), secrets scrubbed. Never the stack or the error's other fields, which may hold request
 * bodies or tokens.
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as Error & { code?: unknown }).code;
    const suffix = typeof code === 'string' || typeof code === 'number' ? ` [${code}]` : '';
    return scrubSecrets(`${err.name}: ${err.message}${suffix}`);
  }
  return scrubSecrets(String(err));
}
