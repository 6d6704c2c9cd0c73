import type { Opts, Telegram as ApiMethods } from 'telegraf/types';

export interface OutgoingCall {
  method: keyof ApiMethods;
  payload: Record<string, unknown>;
}

/**
 * Bot API calls a handler wants made, held back until the update's database transaction has committed.
 * A handler that crashes, or a transaction that rolls back (a concurrent duplicate, a lost database),
 * therefore sends nothing; the update is handled again and says everything once. `Messenger.flush` makes
 * the calls; the worker's UpdateHandler (apps/worker/src/updates) describes the crash windows.
 */
export class Outbox {
  private calls: OutgoingCall[] = [];

  add<M extends keyof ApiMethods>(method: M, payload: Opts<M>): void {
    this.calls.push({ method, payload: payload as unknown as Record<string, unknown> });
  }

  get size(): number {
    return this.calls.length;
  }

  /** Takes the queued calls out, in order. */
  drain(): OutgoingCall[] {
    const out = this.calls;
    this.calls = [];
    return out;
  }
}
