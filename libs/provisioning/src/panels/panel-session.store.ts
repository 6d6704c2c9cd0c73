import { createHash } from 'node:crypto';

/** A login result: a bearer token or a cookie header, with the moment it stops working if the panel said. */
export interface PanelAuthSession {
  value: string;
  /** Epoch ms; undefined when the panel gave no lifetime (then only a 401 tells us). */
  expiresAt?: number;
}

/** Runs `fn` for one key at a time, in call order; other keys run freely. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/**
 * Process-wide memory of panel logins. Adapters are cheap and may be built per job, so the token or
 * cookie must outlive them: one login per panel serves every job until the panel rejects it.
 */
export class PanelSessionStore {
  private readonly sessions = new Map<string, PanelAuthSession>();
  private readonly logins = new Map<string, Promise<PanelAuthSession>>();
  /** Serialises read-modify-write calls a panel does not protect itself (3x-ui inbound settings). */
  readonly locks = new KeyedMutex();

  /** Cache key for a panel login. The password enters only as a hash, so a changed password means a new login. */
  static key(parts: {
    panelType: string;
    panelId: string;
    baseUrl: string;
    username: string;
    password: string;
  }): string {
    const secret = createHash('sha256').update(parts.password).digest('hex').slice(0, 16);
    return [parts.panelType, parts.panelId, parts.baseUrl, parts.username, secret].join('|');
  }

  peek(key: string, now: number): PanelAuthSession | undefined {
    const session = this.sessions.get(key);
    // A second of margin: a token that dies in flight costs a 401 and a retry.
    if (session && session.expiresAt !== undefined && now >= session.expiresAt - 1_000) {
      this.sessions.delete(key);
      return undefined;
    }
    return session;
  }

  /** The live session, logging in when there is none; concurrent callers share one login. */
  async obtain(key: string, now: number, login: () => Promise<PanelAuthSession>): Promise<PanelAuthSession> {
    const cached = this.peek(key, now);
    if (cached) return cached;
    const pending = this.logins.get(key);
    if (pending) return pending;
    // A failed login is not cached: the next call tries again (credentials may have been fixed).
    const shared = login()
      .then((session) => {
        this.sessions.set(key, session);
        return session;
      })
      .finally(() => this.logins.delete(key));
    this.logins.set(key, shared);
    return shared;
  }

  /**
   * Forgets the session a request was rejected with. Only that one: if another request already logged in
   * again, its fresh session stays, so a burst of 401s from one expiry causes a single login.
   */
  invalidate(key: string, rejected: string): void {
    if (this.sessions.get(key)?.value === rejected) this.sessions.delete(key);
  }

  clear(): void {
    this.sessions.clear();
  }
}

/** The store adapters use unless told otherwise. */
export const defaultPanelSessionStore = new PanelSessionStore();
