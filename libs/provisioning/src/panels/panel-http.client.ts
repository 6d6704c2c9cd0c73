import { ErrorCode } from '@botfleet/common';

import { parseJson } from './json';
import { panelError, type PanelErrorContext } from './panel-errors';

export const DEFAULT_PANEL_TIMEOUT_MS = 10_000;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface PanelHttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the panel's base URL, starting with `/`; dynamic segments already encoded. */
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
}

export interface PanelHttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
}

/**
 * Thin fetch wrapper: every call has a deadline, transport failures become PANEL_UNAVAILABLE, and
 * nothing about the request (headers, body, credentials) is copied into errors. Statuses are returned,
 * not thrown, because each panel gives them its own meaning.
 */
export class PanelHttpClient {
  private readonly root: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
    private readonly fetchImpl: FetchLike = fetch,
  ) {
    this.root = baseUrl.replace(/\/+$/, '');
  }

  url(path: string): string {
    return `${this.root}${path}`;
  }

  async request(req: PanelHttpRequest, ctx: PanelErrorContext): Promise<PanelHttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    }
    try {
      const res = await this.fetchImpl(this.url(req.path), {
        method: req.method,
        headers,
        body,
        // A redirect from a panel API means "log in first" (3x-ui) or a misconfigured URL; never follow it
        // with our credentials attached.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: parseJson(text) };
    } catch (err: unknown) {
      throw panelError(ErrorCode.PANEL_UNAVAILABLE, ctx, describeTransportError(err, this.timeoutMs), {
        path: req.path,
      });
    }
  }
}

function describeTransportError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = err instanceof Error ? (err as Error & { cause?: unknown }).cause : undefined;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : undefined;
  // Only the error code/name: a message could echo the URL, and a URL could carry userinfo.
  return `panel unreachable (${code ?? (err instanceof Error ? err.name : 'unknown error')})`;
}
