import type { PanelHttpResponse } from './panel-http.client';
import type { PanelAuthSession, PanelSessionStore } from './panel-session.store';

export interface SessionAuth {
  store: PanelSessionStore;
  key: string;
  now: () => number;
  login: () => Promise<PanelAuthSession>;
  /** Whether the panel refused the session (expired token, lost cookie) rather than the request. */
  rejected: (res: PanelHttpResponse) => boolean;
}

/**
 * Sends with the cached session; when the panel refuses it, logs in again (shared with concurrent callers)
 * and sends once more. The second answer is returned as is, so a panel that refuses a fresh session is
 * reported by the caller's normal status handling, not retried in a loop.
 */
export async function sendWithSession(
  auth: SessionAuth,
  send: (session: string) => Promise<PanelHttpResponse>,
): Promise<PanelHttpResponse> {
  const first = await auth.store.obtain(auth.key, auth.now(), auth.login);
  const res = await send(first.value);
  if (!auth.rejected(res)) return res;
  auth.store.invalidate(auth.key, first.value);
  const second = await auth.store.obtain(auth.key, auth.now(), auth.login);
  return send(second.value);
}
