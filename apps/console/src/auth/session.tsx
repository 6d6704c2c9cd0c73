import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { ApiError, csrf, onUnauthorized } from '../api/client';

/** Who is signed in (GET /v1/sessions/current). */
export interface CurrentSession {
  id: string;
  kind: 'master' | 'tenant';
  botId: string | null;
  botName?: string | null;
  role: string | null;
  telegramId: string | number | null;
  permissions: string[];
  expiresAt: string;
}

const SessionContext = createContext<CurrentSession | null>(null);

async function fetchCurrent(): Promise<CurrentSession | null> {
  const res = await fetch('/v1/sessions/current', { credentials: 'same-origin' });
  if (res.status === 401) return null;
  if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText);
  // The API answers { session, botName, permissions }: the bot's name and the permissions sit beside the session.
  const body = (await res.json()) as {
    session?: CurrentSession;
    botName?: string | null;
    permissions?: string[];
  } & CurrentSession;
  if (!body.session) return body;
  return { ...body.session, botName: body.botName ?? null, permissions: body.permissions ?? [] };
}

export function useSessionQuery() {
  return useQuery({ queryKey: ['session'], queryFn: fetchCurrent, staleTime: 60_000, retry: false });
}

/** The signed-in session; pages under <RequireSession> always have one. */
export function useSession(): CurrentSession {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

/** Whether the session may do `permission` (an operator may do everything). */
export function useCan(): (permission: string) => boolean {
  const s = useSession();
  return (permission) => s.kind === 'master' || s.permissions.includes(permission);
}

export function SessionProvider({ session, children }: { session: CurrentSession; children: ReactNode }) {
  const client = useQueryClient();
  useEffect(
    () =>
      onUnauthorized(() => {
        csrf.clear();
        client.setQueryData(['session'], null);
      }),
    [client],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** Signs in with a one-time link code or a pasted API token; keeps the CSRF token for later writes. */
export async function signIn(body: { code: string } | { apiToken: string }): Promise<void> {
  const res = await fetch('/v1/sessions', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as {
    csrfToken?: string;
    error?: { code?: string; message?: string };
  };
  if (!res.ok || !json.csrfToken) {
    throw new ApiError(res.status, json.error?.code ?? `HTTP_${res.status}`, json.error?.message ?? res.statusText);
  }
  csrf.set(json.csrfToken);
}

export async function signOut(): Promise<void> {
  const token = csrf.get();
  await fetch('/v1/sessions/current', {
    method: 'DELETE',
    credentials: 'same-origin',
    headers: token ? { 'X-CSRF-Token': token } : {},
  });
  csrf.clear();
}
