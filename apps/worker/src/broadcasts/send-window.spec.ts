import type { ClaimedDelivery, DeliveryOutcome } from '@botfleet/dal';
import { runSendWindow, SendWindowPorts } from './send-window';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A pretend broadcast: `total` pending rows, steps and sends recorded in order, sends answered by `answer`. */
function world(total: number, answer: (userId: string, n: number) => Promise<DeliveryOutcome['status'] | 'stop'>) {
  const pending: ClaimedDelivery[] = Array.from({ length: total }, (_, i) => ({ userId: `u${i}`, telegramId: i + 1 }));
  const marked = new Set<string>();
  const recorded = new Map<string, DeliveryOutcome>();
  const sent: string[] = [];
  const log: string[] = [];
  let active = 0;
  let maxActive = 0;
  let maxAhead = 0;
  let cancelled = false;
  let leases = 0;
  const ports: SendWindowPorts = {
    step: async (done, next, lease) => {
      await tick(1);
      for (const o of done) {
        if (recorded.has(o.userId)) throw new Error(`${o.userId} recorded twice`);
        recorded.set(o.userId, o);
      }
      const leased = lease && !cancelled ? pending.splice(0, lease.limit) : [];
      if (lease) leases++;
      if (cancelled) return { marked: [], leased };
      for (const id of next) marked.add(id);
      maxAhead = Math.max(maxAhead, marked.size - sent.length);
      log.push(`mark ${next.join(',')}`);
      return { marked: next, leased };
    },
    deliver: async (d) => {
      if (!marked.has(d.userId)) throw new Error(`${d.userId} sent before it was marked`);
      if (sent.includes(d.userId)) throw new Error(`${d.userId} sent twice`);
      sent.push(d.userId);
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        const a = await answer(d.userId, sent.length);
        if (a === 'stop') return { userId: d.userId, status: 'failed', error: 'STOP' };
        return { userId: d.userId, status: a };
      } finally {
        active--;
      }
    },
    stops: (o) => o.error === 'STOP',
  };
  return {
    ports,
    sent,
    recorded,
    marked,
    log,
    cancel: () => (cancelled = true),
    get leases() {
      return leases;
    },
    get maxActive() {
      return maxActive;
    },
    get maxAhead() {
      return maxAhead;
    },
  };
}

describe('runSendWindow', () => {
  it('sends every leased delivery once, after marking it, and records every outcome once', async () => {
    const w = world(47, async () => {
      await tick(Math.random() * 3);
      return 'sent';
    });
    const r = await runSendWindow(w.ports, { inFlight: 5, leaseBatch: 10, limit: 1_000 });
    expect(r).toEqual({ leased: 47, stoppedBy: null, notSent: [] });
    expect(new Set(w.sent).size).toBe(47);
    expect(w.recorded.size).toBe(47);
    expect(w.maxActive).toBeLessThanOrEqual(5);
    // Marked ahead of the sends: at most three windows; marked in batches of more than two windows.
    expect(w.maxAhead).toBeLessThanOrEqual(15);
    const marks = w.log.filter((l) => l !== 'mark ');
    expect(marks.length).toBeLessThanOrEqual(Math.ceil(47 / 11) + 2);
  });

  it('leases no more than its limit', async () => {
    const w = world(100, async () => 'sent');
    const r = await runSendWindow(w.ports, { inFlight: 4, leaseBatch: 7, limit: 30 });
    expect(r.leased).toBe(30);
    // Leased in batches of 7 (the last one 2), each in a step of its own or with marks: never more steps than needed.
    expect(w.leases).toBe(5);
    expect(w.sent).toHaveLength(30);
    expect(w.recorded.size).toBe(30);
  });

  it('keeps the window full while one send is slow (no wave waits for its slowest send)', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const w = world(30, async (id) => {
      if (id === 'u0') await slow;
      else await tick(1);
      return 'sent';
    });
    const run = runSendWindow(w.ports, { inFlight: 3, leaseBatch: 10, limit: 1_000 });
    for (let i = 0; i < 200 && w.sent.length < 30; i++) await tick(2);
    // Everything else went out while u0 was still on its way.
    expect(w.sent).toHaveLength(30);
    expect(w.recorded.has('u0')).toBe(false);
    release();
    await run;
    expect(w.recorded.size).toBe(30);
  });

  it('after a stopping outcome starts nothing more: the ones marked ahead are returned as not sent', async () => {
    const w = world(40, async (_id, n) => {
      await tick(1);
      return n === 12 ? 'stop' : 'sent';
    });
    const r = await runSendWindow(w.ports, { inFlight: 5, leaseBatch: 10, limit: 1_000 });
    expect(r.stoppedBy?.error).toBe('STOP');
    // Every delivery sent has its outcome recorded; every one marked and not sent is reported; none both.
    expect(w.recorded.size).toBe(w.sent.length);
    expect(r.notSent.filter((id) => w.sent.includes(id))).toEqual([]);
    expect(new Set([...w.sent, ...r.notSent])).toEqual(w.marked);
    expect(w.sent.length).toBeLessThan(40);
  });

  it('when a step marks fewer than asked (cancelled) it sends what it holds and stops marking', async () => {
    const w = world(60, async (_id, n) => {
      if (n === 8) w.cancel();
      await tick(1);
      return 'sent';
    });
    const r = await runSendWindow(w.ports, { inFlight: 4, leaseBatch: 10, limit: 1_000 });
    expect(r.stoppedBy).toBeNull();
    expect(w.sent.length).toBeLessThan(60);
    expect(new Set(w.sent)).toEqual(w.marked);
    expect(w.recorded.size).toBe(w.sent.length);
  });

  it('a failing database step fails the run once the sends in flight are back', async () => {
    const w = world(30, async () => {
      await tick(3);
      return 'sent';
    });
    let steps = 0;
    const step = w.ports.step;
    w.ports.step = async (done, next, lease) => {
      if (++steps === 4) throw new Error('database gone');
      return step(done, next, lease);
    };
    let active = 0;
    const deliver = w.ports.deliver;
    w.ports.deliver = async (d) => {
      active++;
      try {
        return await deliver(d);
      } finally {
        active--;
      }
    };
    await expect(runSendWindow(w.ports, { inFlight: 3, leaseBatch: 5, limit: 1_000 })).rejects.toThrow('database gone');
    expect(active).toBe(0);
    expect(w.sent.length).toBeLessThan(30);
  });

  it('blocked and failed outcomes are recorded as they came', async () => {
    const w = world(9, async (id) => (id === 'u3' ? 'blocked' : id === 'u5' ? 'failed' : 'sent'));
    await runSendWindow(w.ports, { inFlight: 2, leaseBatch: 4, limit: 100 });
    expect(w.recorded.get('u3')?.status).toBe('blocked');
    expect(w.recorded.get('u5')?.status).toBe('failed');
    expect(w.recorded.get('u0')?.status).toBe('sent');
  });
});
