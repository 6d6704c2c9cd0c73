import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** An API error as API.md shapes it: `{ error: { code, message, details } }` with the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const CSRF_KEY = 'bf.csrf';

/**
 * The session's CSRF token (given once, at sign-in). The session itself is an HttpOnly cookie the page cannot
 * read; every write sends this token as `X-CSRF-Token`, which another site's form or fetch cannot.
 */
export const csrf = {
  get: (): string | null => localStorage.getItem(CSRF_KEY),
  set: (token: string): void => localStorage.setItem(CSRF_KEY, token),
  clear: (): void => localStorage.removeItem(CSRF_KEY),
};

const unauthorizedListeners = new Set<() => void>();
/** Called when the API answers 401 (the session expired or was revoked): the shell goes back to sign-in. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const withCsrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const token = csrf.get();
      if (token) request.headers.set('X-CSRF-Token', token);
    }
    return request;
  },
};

/** The typed API client: paths and bodies come from the API's own OpenAPI document (schema.d.ts). */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(withCsrf);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a typed call, or an ApiError with the API's code and message. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const body = (error as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (response.status === 401) unauthorizedListeners.forEach((l) => l());
    throw new ApiError(
      response.status,
      body?.code ?? `HTTP_${response.status}`,
      body?.message ?? response.statusText,
      body?.details,
    );
  }
  return data as T;
}

/** A fresh idempotency key for a write that must happen once however often it is sent (top-ups). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
