import type { ClaimedDelivery, DeliveryOutcome } from '@botfleet/dal';

/** What one run of a broadcast chunk does with the database and Telegram (BroadcastSenderProcessor binds them). */
export interface SendWindowPorts {
  /**
   * One database step, in one transaction: records `done`, marks `next` (user ids) `sending`, and with `lease`
   * leases up to `lease.limit` more deliveries to the run (past the user id `lease.after`). Resolves to those of
   * `next` still the run's to send (fewer: the broadcast ended or the lease passed to another run) and the lease.
   */
  step(
    done: DeliveryOutcome[],
    next: string[],
    lease: { limit: number; after?: string } | null,
  ): Promise<{ marked: string[]; leased: ClaimedDelivery[] }>;
  /** Sends one delivery (waiting for the bot's budget first); never throws. */
  deliver(d: ClaimedDelivery): Promise<DeliveryOutcome>;
  /** An outcome after which nothing more may be sent (Telegram rejected the token). */
  stops(outcome: DeliveryOutcome): boolean;
  /** Called between database steps; the progress post uses it. */
  tick?(): Promise<void>;
}

export interface SendWindowOptions {
  /** Sends in flight at once (each still waits its turn in the budget). */
  inFlight: number;
  /** Deliveries leased per database round trip. */
  leaseBatch: number;
  /** Deliveries this run may lease in all (the chunk). */
  limit: number;
}

export interface SendWindowResult {
  /** Deliveries leased by this run. */
  leased: number;
  /** The outcome that stopped the run, if one did. */
  stoppedBy: DeliveryOutcome | null;
  /** Deliveries marked `sending` whose Telegram call was never made (only after a stop). */
  notSent: string[];
}

/**
 * One broadcast run as a sliding window: up to `inFlight` sends at once, a new one started as soon as one
 * is back (no wave waits for its slowest send), while one database step at a time — leasing rows, recording
 * outcomes, marking the next ones `sending` — runs beside the sends and keeps between `inFlight` and three times
 * that many deliveries marked ahead. A delivery is always marked before its call; at a crash the unknown ones are
 * those in flight (`inFlight`), those marked ahead (up to 3 × `inFlight`) and those whose outcomes are not
 * recorded yet (outcomes ride along with the next marks, or go alone once 3 × `inFlight` are waiting).
 *
 * A send whose outcome `stops` the run: no other send starts; those in flight finish and are recorded; the
 * ones marked ahead are returned as `notSent`. A database step that throws ends the run with that error once
 * the sends in flight are back (their outcomes are lost; the next run finds them `sending`, i.e. interrupted).
 */
export async function runSendWindow(ports: SendWindowPorts, opts: SendWindowOptions): Promise<SendWindowResult> {
  const inFlight = Math.max(1, opts.inFlight);
  /**
   * Marked ahead of the sends, at most: a step runs once fewer than `inFlight` are left and marks up to this many,
   * so each step marks more than twice `inFlight` at once (a transaction per ~11 messages by default, not per
   * message: with 50 bots broadcasting, the statements were most of the worker's work).
   */
  const ahead = 3 * inFlight;
  const leased: ClaimedDelivery[] = [];
  const marked: ClaimedDelivery[] = [];
  const done: DeliveryOutcome[] = [];
  let leasedCount = 0;
  let noMoreLeases = false;
  /** The broadcast ended or the lease moved (a step returned fewer than it was asked to mark). */
  let ended = false;
  let stoppedBy: DeliveryOutcome | null = null;
  let failure: { error: unknown } | null = null;
  let active = 0;
  let dbBusy = false;

  /** Marked by a step that was under way when a send stopped the run: never sent. */
  const notSentAfterStop: string[] = [];
  const canLease = () => !noMoreLeases && leasedCount < opts.limit;

  let wake: () => void = () => undefined;
  let woken = new Promise<void>((r) => (wake = r));
  const signal = () => wake();

  /** Leases continue past the last user id leased (see BroadcastRepository.claim); unset: from the start. */
  let after: string | undefined;
  const dbStep = async (): Promise<void> => {
    const wantMarks = !stoppedBy && !ended && marked.length < inFlight;
    const next = wantMarks ? leased.splice(0, ahead - marked.length) : [];
    // More rows are leased in the same step while fewer than a step's worth are left for the next ones.
    const lease =
      wantMarks && leased.length < ahead && canLease()
        ? { limit: Math.min(opts.leaseBatch, opts.limit - leasedCount), after }
        : null;
    const outcomes = done.splice(0);
    if (next.length === 0 && outcomes.length === 0 && !lease) return;
    const r = await ports.step(
      outcomes,
      next.map((d) => d.userId),
      lease,
    );
    if (lease) {
      leasedCount += r.leased.length;
      leased.push(...r.leased);
      for (const d of r.leased) if (after === undefined || d.userId > after) after = d.userId;
      if (r.leased.length < lease.limit) {
        // Short past the cursor: rows before it may still come free (a dead run's lease), so look once from the
        // start; short from the start: nothing is left for this run.
        if (lease.after === undefined && r.leased.length === 0) noMoreLeases = true;
        after = undefined;
      }
    }
    const mine = new Set(r.marked);
    const kept = next.filter((d) => mine.has(d.userId));
    if (kept.length < next.length) ended = true;
    if (stoppedBy) {
      // Marked while the stopping send was out: never sent.
      notSentAfterStop.push(...kept.map((d) => d.userId));
      return;
    }
    marked.push(...kept);
    if (ports.tick) await ports.tick();
  };
  const startSend = (d: ClaimedDelivery): void => {
    active++;
    void ports.deliver(d).then(
      (outcome) => {
        active--;
        done.push(outcome);
        if (!stoppedBy && ports.stops(outcome)) stoppedBy = outcome;
        signal();
      },
      (error: unknown) => {
        active--;
        failure ??= { error };
        signal();
      },
    );
  };

  /** No send will start any more: stopped, or nothing marked and nothing left to mark. */
  const sendingOver = () =>
    stoppedBy !== null || (marked.length === 0 && (ended || (leased.length === 0 && !canLease())));

  const dbWanted = (): boolean => {
    if (failure) return false;
    if (done.length >= ahead) return true;
    if (!stoppedBy && !ended && marked.length < inFlight && (leased.length > 0 || canLease())) return true;
    // Nothing more will be sent: what is done is recorded once the last sends are back.
    return done.length > 0 && active === 0 && sendingOver();
  };

  for (;;) {
    while (!stoppedBy && !failure && active < inFlight && marked.length > 0) startSend(marked.shift()!);
    if (!dbBusy && dbWanted()) {
      dbBusy = true;
      void dbStep().then(
        () => {
          dbBusy = false;
          signal();
        },
        (error: unknown) => {
          dbBusy = false;
          failure = { error };
          signal();
        },
      );
    }
    if (active === 0 && !dbBusy && (failure !== null || (sendingOver() && !dbWanted()))) break;
    await woken;
    woken = new Promise<void>((r) => (wake = r));
  }
  // Set in the callbacks above (the compiler cannot see it).
  const failed = failure as { error: unknown } | null;
  if (failed) throw failed.error;
  const notSent = stoppedBy ? [...marked.splice(0).map((d) => d.userId), ...notSentAfterStop] : [];
  return { leased: leasedCount, stoppedBy, notSent };
}
