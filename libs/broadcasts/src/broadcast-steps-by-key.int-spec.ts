import { randomUUID } from 'node:crypto';
import { Actors } from '@botfleet/common';
import { TenantDb } from '@botfleet/dal';
import { TestContext } from '@botfleet/testing';
import { ANALYZE_FROM_TOTAL, BroadcastRunsService } from './broadcast-runs.service';
import { BroadcastsService } from './broadcasts.service';

const USERS = 500;
const BATCH = 10;
const LEASE_MS = 60_000;

/**
 * A run's steps find their deliveries by key. Right after a broadcast starts, its deliveries were just written and
 * PostgreSQL's statistics still say "about one row" for it: a lease or a step that joined its CTE back to
 * broadcast_deliveries then walked every delivery of the broadcast once per row it touched (about 40–270 ms a step
 * at 10,000 users, most of PostgreSQL's work in B5). With the deliveries updated by key (`= ANY(ARRAY(…))`), the
 * lease on the pending index and the statistics refreshed before the first step (prepareSteps), each call here
 * reads only about the rows it was given, as PostgreSQL counts them for the transaction (pg_stat_xact_user_tables).
 * A small broadcast is not worth an ANALYZE.
 */
describe('Broadcast steps touch only their own rows (real PostgreSQL)', () => {
  let ctx: TestContext;
  let db: TenantDb;
  let service: BroadcastsService;
  let runs: BroadcastRunsService;

  beforeAll(async () => {
    ctx = await TestContext.create({ jobs: 'detached' });
    db = ctx.get(TenantDb);
    service = ctx.get(BroadcastsService);
    runs = ctx.get(BroadcastRunsService);
  });

  afterAll(async () => {
    await ctx?.close();
  });

  /** Rows of broadcast_deliveries read so far by this transaction (index and sequential scans). */
  async function rowsRead(): Promise<number> {
    const tx = db.current()!;
    const [row] = (await tx.manager.query(
      `SELECT COALESCE(idx_tup_fetch, 0) + COALESCE(seq_tup_read, 0) AS n
         FROM pg_stat_xact_user_tables WHERE relname = 'broadcast_deliveries'`,
    )) as { n: string }[];
    return Number(row?.n ?? 0);
  }

  it(`leases, marks and records ${BATCH} of ${USERS} deliveries reading about those rows only`, async () => {
    expect(USERS).toBeGreaterThanOrEqual(ANALYZE_FROM_TOTAL);
    const bot = await ctx.newBot();
    for (let i = 0; i < USERS; i++) await ctx.newUser(bot.id);
    const actor = Actors.tenantApi(bot.id);
    const draft = await service.create(bot.id, { text: 'News', audience: { segment: 'all' } }, actor);
    const b = (await runs.find(bot.id, draft.broadcast.id))!;
    expect(await runs.previewed(bot.id, b.id, b.revision)).toBe(true);
    const started = await service.start(bot.id, b.id, actor);
    expect(started.broadcast.total).toBe(USERS);
    // As the worker does before the first step of a broadcast this large.
    expect(await runs.prepareSteps(bot.id, started.broadcast)).toBe(true);
    const run = randomUUID();

    const reads: Record<string, number> = {};
    await db.run(bot.id, async (tx) => {
      // In production the table holds every broadcast's deliveries: reading all of it is never the cheap way. Here
      // it holds only these few pages, so the planner is told so (otherwise a sequential scan is rightly cheaper).
      await tx.manager.query(`SET LOCAL enable_seqscan = off`);
      let before = await rowsRead();
      const measure = async (name: string) => {
        const now = await rowsRead();
        reads[name] = now - before;
        before = now;
      };
      const first = await runs.stepAndLease(bot.id, b.id, run, [], [], { limit: BATCH, leaseMs: LEASE_MS });
      expect(first.leased).toHaveLength(BATCH);
      await measure('lease');
      const ids = first.leased.map((d) => d.userId);
      const after = [...ids].sort().at(-1);
      const second = await runs.stepAndLease(bot.id, b.id, run, [], ids, { limit: BATCH, leaseMs: LEASE_MS, after });
      expect(second.marked.sort()).toEqual([...ids].sort());
      expect(second.leased).toHaveLength(BATCH);
      await measure('mark and lease');
      const sent = ids.slice(0, BATCH / 2);
      const third = await runs.stepAndLease(
        bot.id,
        b.id,
        run,
        sent.map((userId) => ({ userId, status: 'sent' })),
        [],
        null,
      );
      expect(third.marked).toEqual([]);
      await measure('record');
      // At the start of every chunk: the sends a dead run left `sending` (none of these is stale).
      expect(await runs.interruptStale(bot.id, b.id, LEASE_MS, randomUUID())).toBe(0);
      await measure('interrupt stale');

      // Everything else sent but the 5 still `sending`, as the runs would (not measured); then the check after a
      // chunk, which finds those 5 (the broadcast is not done) without walking the 495 sent before them.
      const rest = ids.slice(BATCH / 2);
      const secondIds = second.leased.map((d) => d.userId);
      await runs.stepAndLease(bot.id, b.id, run, [], secondIds, null);
      await runs.stepAndLease(
        bot.id,
        b.id,
        run,
        secondIds.map((userId) => ({ userId, status: 'sent' })),
        [],
        null,
      );
      for (;;) {
        const more = await runs.stepAndLease(bot.id, b.id, run, [], [], { limit: 100, leaseMs: LEASE_MS });
        if (more.leased.length === 0) break;
        const moreIds = more.leased.map((d) => d.userId);
        await runs.stepAndLease(bot.id, b.id, run, [], moreIds, null);
        await runs.stepAndLease(
          bot.id,
          b.id,
          run,
          moreIds.map((userId) => ({ userId, status: 'sent' })),
          [],
          null,
        );
      }
      await measure('(sending the rest)');
      expect(await runs.completeIfDone(bot.id, b.id)).toBe(false);
      await measure('complete if done');
      await runs.stepAndLease(
        bot.id,
        b.id,
        run,
        rest.map((userId) => ({ userId, status: 'sent' })),
        [],
        null,
      );
      expect(await runs.completeIfDone(bot.id, b.id)).toBe(true);
    });
    delete reads['(sending the rest)'];
    // A scan of the broadcast reads all its deliveries; by key, a call reads its own rows and the index's few neighbours.
    for (const [name, n] of Object.entries(reads)) expect({ name, n: Math.min(n, 4 * BATCH) }).toEqual({ name, n });
  });

  it('a broadcast smaller than that gets no ANALYZE; broadcasts starting together share one', async () => {
    const bot = await ctx.newBot();
    expect(await runs.prepareSteps(bot.id, { total: ANALYZE_FROM_TOTAL - 1 })).toBe(false);
    // Five first chunks at once: the first analyzes; those that came while it ran wait for it, and at most one more
    // runs for those that came after it began (their deliveries may be newer than its sample).
    const together = await Promise.all(
      [1, 2, 3, 4, 5].map(() => runs.prepareSteps(bot.id, { total: ANALYZE_FROM_TOTAL })),
    );
    const analyses = together.filter(Boolean).length;
    expect(analyses).toBeGreaterThanOrEqual(1);
    expect(analyses).toBeLessThanOrEqual(2);
    // A broadcast whose first chunk comes after that ANALYZE began gets its own.
    await new Promise((r) => setTimeout(r, 5));
    expect(await runs.prepareSteps(bot.id, { total: ANALYZE_FROM_TOTAL })).toBe(true);
  });
});
