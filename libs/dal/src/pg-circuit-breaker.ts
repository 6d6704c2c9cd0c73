import { Logger } from '@nestjs/common';
import { Client, ClientConfig, QueryConfig } from 'pg';
import { DependencyTimeoutError, isTransientError } from '@botfleet/common';

export interface PgCircuitBreakerOptions {
  /** A query or connection without an answer this long makes PostgreSQL suspect: a probe starts (nothing is cut). */
  suspectAfterMs?: number;
  /** The probe (`SELECT 1` on a fresh connection) must answer within this. */
  probeTimeoutMs?: number;
  /** While open, the next probe starts this long after the last one failed. */
  reprobeMs?: number;
}

type Done = () => void;
interface Waiting {
  readonly client: Client;
  readonly since: number;
}

/**
 * A circuit breaker for one pool (README "No request waits forever"). A slow legitimate query is never cut by a
 * short timeout; instead, a query or connection left without an answer for `suspectAfterMs` starts a probe — one
 * at a time — that opens a fresh connection and asks `SELECT 1` within `probeTimeoutMs`. The probe answers: the
 * database is merely busy, nothing happens. The probe gets no answer: the circuit opens; every query and connect
 * that was already waiting when the probe started is given up (its connection is closed, never reused, so
 * PostgreSQL rolls its transaction back) with a DependencyTimeoutError, and new queries and connections fail at
 * once with one (503 DEPENDENCY_DOWN + Retry-After, a retried update) — while probes repeat every `reprobeMs`.
 * The first probe that answers closes the circuit.
 */
export class PgCircuitBreaker {
  private readonly logger = new Logger('PgCircuitBreaker');
  private readonly suspectAfterMs: number;
  private readonly probeTimeoutMs: number;
  private readonly reprobeMs: number;
  private readonly waiting = new Set<Waiting>();
  private probing: Promise<boolean> | undefined;
  private open = false;
  private lastDemand = 0;
  private config: ClientConfig | undefined;

  constructor(opts: PgCircuitBreakerOptions = {}) {
    this.suspectAfterMs = opts.suspectAfterMs ?? 500;
    this.probeTimeoutMs = opts.probeTimeoutMs ?? 1_000;
    this.reprobeMs = opts.reprobeMs ?? 500;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** The pg Client class for the pool (`extra.Client`): its queries and connects report to this breaker. */
  clientClass(): typeof Client {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const breaker = this;
    class GuardedClient extends Client {
      cutByBreaker = false;
      constructor(config?: string | ClientConfig) {
        super(config);
        if (!breaker.config && typeof config === 'object') breaker.config = config;
      }
    }
    const proto = GuardedClient.prototype as unknown as {
      connect: (this: GuardedClient, cb?: (err?: Error) => void) => unknown;
      query: (this: GuardedClient, ...args: unknown[]) => unknown;
    };
    const baseConnect = Client.prototype.connect as unknown as (this: Client, cb?: (err?: Error) => void) => unknown;
    const baseQuery = Client.prototype.query as unknown as (this: Client, ...args: unknown[]) => unknown;

    proto.connect = function (cb) {
      const connect = async (): Promise<void> => {
        await breaker.admit();
        const done = breaker.track(this);
        try {
          await (baseConnect.call(this) as Promise<void>);
        } catch (err) {
          const e = this.cutByBreaker ? breaker.givenUp() : err;
          breaker.noteFailure(e);
          throw e;
        } finally {
          done();
        }
      };
      if (!cb) return connect();
      connect().then(
        () => cb(),
        (err: Error) => cb(err),
      );
      return undefined;
    };

    proto.query = function (...args) {
      const first = args[0] as QueryConfig | { submit?: unknown } | string;
      // Streams and callback-style calls pass through untouched (the application uses neither).
      if ((typeof first === 'object' && first && 'submit' in first) || typeof args[args.length - 1] === 'function') {
        return baseQuery.apply(this, args);
      }
      if (this.cutByBreaker) return Promise.reject(breaker.givenUp());
      const ask = () => {
        const done = breaker.track(this);
        return (baseQuery.apply(this, args) as Promise<unknown>).then(
          (res) => {
            done();
            return res;
          },
          (err: unknown) => {
            done();
            const e = this.cutByBreaker ? breaker.givenUp() : err;
            breaker.noteFailure(e);
            throw e;
          },
        );
      };
      // Closed (the hot path): no extra tick. Open: the work waits for the probe's verdict.
      return breaker.isOpen ? breaker.admit().then(ask) : ask();
    };
    return GuardedClient;
  }

  /**
   * Lets new work through when the circuit is closed; while it is open, the work waits for the probe in flight
   * (or a new one) — at most `probeTimeoutMs` — and fails with a DependencyTimeoutError unless it answered, so the
   * first request after the database came back is already served.
   */
  async admit(): Promise<void> {
    if (!this.open) return;
    this.lastDemand = Date.now();
    if (!(await this.probe())) throw this.givenUp();
  }

  private givenUp(): DependencyTimeoutError {
    return new DependencyTimeoutError('postgres', this.probeTimeoutMs);
  }

  /** Registers a query or connect in flight; after `suspectAfterMs` without an answer, PostgreSQL is suspect. */
  private track(client: Client): Done {
    const entry: Waiting = { client, since: Date.now() };
    this.waiting.add(entry);
    const timer = setTimeout(() => void this.probe(), this.suspectAfterMs);
    timer.unref();
    return () => {
      clearTimeout(timer);
      this.waiting.delete(entry);
    };
  }

  /** A connection failure or a driver timeout makes PostgreSQL suspect too; an error in the input does not. */
  private noteFailure(err: unknown): void {
    if (err instanceof DependencyTimeoutError) return;
    if (isTransientError(err) && /timeout|terminated|ECONN|not established/i.test(String((err as Error)?.message))) {
      void this.probe();
    }
  }

  /** At most one probe in flight; resolves whether PostgreSQL answered it. */
  private probe(): Promise<boolean> {
    if (this.probing) return this.probing;
    if (!this.config) return Promise.resolve(!this.open);
    const startedAt = Date.now();
    this.probing = this.ask().then((answered) => {
      this.probing = undefined;
      if (answered) {
        if (this.open) this.logger.log('PostgreSQL answers again: circuit closed');
        this.open = false;
        return true;
      }
      if (!this.open) {
        this.logger.warn(`PostgreSQL gave no answer to a probe within ${this.probeTimeoutMs} ms: circuit open`);
      }
      this.open = true;
      this.lastDemand ||= Date.now();
      for (const w of [...this.waiting]) if (w.since <= startedAt) this.cut(w);
      // Probe again while someone still asks (a process nobody calls does not poll a dead database forever).
      if (Date.now() - this.lastDemand < 30_000) setTimeout(() => void this.probe(), this.reprobeMs).unref();
      return false;
    });
    return this.probing;
  }

  /** `SELECT 1` on a fresh connection within `probeTimeoutMs`. */
  private async ask(): Promise<boolean> {
    const probe = new Client({
      ...this.config,
      connectionTimeoutMillis: this.probeTimeoutMs,
      query_timeout: this.probeTimeoutMs,
    });
    probe.on('error', () => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (async () => {
          await probe.connect();
          await probe.query('SELECT 1');
        })(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('probe timeout')), this.probeTimeoutMs);
        }),
      ]);
      return true;
    } catch (err) {
      // PostgreSQL answered, with an error (too many connections, shutting down…): it is not hanging.
      const code = (err as { code?: unknown } | undefined)?.code;
      return typeof code === 'string' && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code) && !code.startsWith('57P');
    } finally {
      clearTimeout(timer);
      destroy(probe);
    }
  }

  /** Gives up a query or connect: the connection is closed (pg fails what waits on it, the pool drops it). */
  private cut(w: Waiting): void {
    this.waiting.delete(w);
    (w.client as Client & { cutByBreaker: boolean }).cutByBreaker = true;
    destroy(w.client);
  }
}

/**
 * Closes a client whose server may never answer. Connected: marked as ending (so no error event), then its socket
 * destroyed — pg fails what waits on it. Still connecting: only the socket, so pg fails the connect.
 */
function destroy(client: Client): void {
  const c = client as unknown as { _connected?: boolean; connection?: { stream?: { destroy(): void } } };
  if (c._connected) client.end().catch(() => undefined);
  c.connection?.stream?.destroy();
}
