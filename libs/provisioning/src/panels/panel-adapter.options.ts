import { DEFAULT_PANEL_TIMEOUT_MS, type FetchLike } from './panel-http.client';
import { defaultPanelSessionStore, PanelSessionStore } from './panel-session.store';

export interface PanelAdapterOptions {
  /** Deadline for each HTTP call, connect to last byte. Default 10 s. */
  timeoutMs?: number;
  /** Where logins are cached; defaults to one store per process, shared by every adapter. */
  sessions?: PanelSessionStore;
  /** For tests; defaults to the global fetch (undici). */
  fetch?: FetchLike;
  /** Clock for session lifetimes; for tests. */
  now?: () => number;
}

export interface ResolvedPanelAdapterOptions {
  timeoutMs: number;
  sessions: PanelSessionStore;
  fetch: FetchLike;
  now: () => number;
}

export function resolvePanelAdapterOptions(options: PanelAdapterOptions = {}): ResolvedPanelAdapterOptions {
  return {
    timeoutMs: options.timeoutMs ?? DEFAULT_PANEL_TIMEOUT_MS,
    sessions: options.sessions ?? defaultPanelSessionStore,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    now: options.now ?? Date.now,
  };
}
