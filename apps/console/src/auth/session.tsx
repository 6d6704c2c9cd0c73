import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { api, ApiError, csrf, onUnauthorized, unwrap } from '../api/client';
import type { components } from '../api/schema';

/** Who is signed in (GET /v1/sessions/current): the session, the bot's name and what the caller may do. */
export type CurrentSession = components['schemas']['ConsoleSessionDto'] & {
  botName: string | null;
  permissions: string[];
};

const SessionContext = createContext<CurrentSession | null>(null);

async function fetchCurrent(): Promise<CurrentSession | null> {
  const { data, error, response } = await api.GET('/v1/sessions/current');
  if (response.status === 401) return null;
  if (!data) {
    const body = (error as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, body?.code ?? `HTTP_${response.status}`, body?.message ?? response.statusText);
  }
  return { ...data.session, botName: data.botName, permissions: data.permissions };
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
export async function signIn(
  body: { code: string } | { apiToken: string },
): Promise<components['schemas']['ConsoleSessionDto']> {
  const { csrfToken, session } = await unwrap(api.POST('/v1/sessions', { body }));
  csrf.set(csrfToken);
  return session;
}

export async function signOut(): Promise<void> {
  await api.DELETE('/v1/sessions/current');
  csrf.clear();
}
