import { Client } from 'pg';
import { PlansService } from '@botfleet/catalog';
import { TenantDb, TenantRepositories } from '@botfleet/dal';
import { createTestEnv, LocalPgBouncer, startPgBouncer, TestContext, TestEnv } from '@botfleet/testing';

/**
 * The data layer behind Debian's PgBouncer in TRANSACTION pooling mode with ONE server connection: every
 * transaction of every client runs on the same PostgreSQL session, one after another. The tenant context
 * (`app.bot_id`, set with `set_config(..., true)` inside each transaction) must never carry over to the next
 * client's transaction; row-level security, a sale and the ledger must work as they do on a direct connection.
 */
describe('the data layer behind PgBouncer (transaction pooling, one server connection)', () => {
  jest.setTimeout(120_000);

  let env: TestEnv;
  let bouncer: LocalPgBouncer;
  let ctx: TestContext;
  let direct: Client;

  beforeAll(async () => {
    env = await createTestEnv();
    bouncer = await startPgBouncer({ poolSize: 1 });
    // The app and platform pools go through the pooler; migrations already ran directly, as in production.
    const vars = {
      ...env.vars,
      DATABASE_URL: bouncer.through(env.vars.DATABASE_URL),
      DATABASE_PLATFORM_URL: bouncer.through(env.vars.DATABASE_PLATFORM_URL),
    };
    ctx = await TestContext.create({ env: { ...env, vars } });
    direct = new Client({ connectionString: env.vars.DATABASE_PLATFORM_URL });
    await direct.connect();
  });

  afterAll(async () => {
    await direct?.end();
    await ctx?.close();
    await bouncer?.stop();
    await env?.cleanup();
  });

  /** A client of the application role through the pooler, outside any tenant transaction. */
  const appClient = async (): Promise<Client> => {
    const c = new Client({ connectionString: bouncer.through(env.vars.DATABASE_URL) });
    await c.connect();
    return c;
  };

  it('really pools: every client shares the one server connection', async () => {
    const a = await appClient();
    const b = await appClient();
    try {
      const pidA = (await a.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const pidB = (await b.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      expect(pidA).toBe(pidB);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('a tenant transaction leaves no bot id behind for the next client on the same server connection', async () => {
    const botA = await ctx.newBot();
    await ctx.newPlan(botA.id, { name: { en: 'A-only' } });
    const seen = await ctx.get(TenantDb).run(botA.id, async (tx) => {
      const [{ bot }] = await tx.manager.query(`SELECT current_setting('app.bot_id', true) AS bot`);
      return bot as string;
    });
    expect(seen).toBe(botA.id);
    const other = await appClient();
    try {
      const [{ bot }] = (await other.query(`SELECT current_setting('app.bot_id', true) AS bot`)).rows;
      expect(bot ?? '').toBe('');
      // Without a tenant context the application role sees no tenant rows at all (RLS is forced).
      expect((await other.query('SELECT count(*)::int AS n FROM bot_plans')).rows[0].n).toBe(0);
    } finally {
      await other.end();
    }
  });

  it('200 interleaved tenant transactions of two bots on one server connection each see only their own rows', async () => {
    const [a, b] = [await ctx.newBot(), await ctx.newBot()];
    await ctx.newPlan(a.id, { name: { en: 'plan of A' } });
    await ctx.newPlan(b.id, { name: { en: 'plan of B' } });
    const db = ctx.get(TenantDb);
    const repos = ctx.get(TenantRepositories);
    const runs = Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b)).map((bot) =>
      db.run(bot.id, async () => {
        const plans = await repos.plans.find(bot.id);
        return { bot: bot.id, owners: [...new Set(plans.map((p) => p.botId))] };
      }),
    );
    for (const r of await Promise.all(runs)) expect(r.owners).toEqual([r.bot]);
  });

  it("row-level security holds: bot A's transaction cannot read or write bot B's rows", async () => {
    const [a, b] = [await ctx.newBot(), await ctx.newBot()];
    const planA = await ctx.newPlan(a.id);
    const planB = await ctx.newPlan(b.id);
    const repos = ctx.get(TenantRepositories);
    // Asking for B's plan inside A's context: RLS hides it even when the query names it.
    const leaked = await ctx
      .get(TenantDb)
      .run(a.id, async (tx) => tx.manager.query('SELECT id FROM bot_plans WHERE id = $1', [planB.id]));
    expect(leaked).toEqual([]);
    await expect(
      ctx
        .get(TenantDb)
        .run(a.id, async (tx) =>
          tx.manager.query(`UPDATE bot_plans SET is_active = false WHERE id = $1 RETURNING id`, [planB.id]),
        ),
    ).resolves.toEqual([[], 0]);
    expect((await repos.plans.findById(b.id, planB.id))?.isActive).toBe(true);
    // A row claiming another bot is refused by the policy's WITH CHECK.
    await expect(
      ctx
        .get(TenantDb)
        .run(a.id, async (tx) => tx.manager.query(`UPDATE bot_plans SET bot_id = $2 WHERE id = $1`, [planA.id, b.id])),
    ).rejects.toThrow(/row-level security|permission denied/);
    const plansOfB = await ctx.get(PlansService).list(b.id);
    expect(plansOfB.every((p) => p.id === planB.id)).toBe(true);
  });

  it('a sale runs through the pooler: wallet deposit, paid order, wholesale captured, one ledger row each', async () => {
    const bot = await ctx.newBot({ walletMinor: 1_000_000 });
    const paid = await ctx.newPaidOrder(bot.id, { via: 'wallet' });
    const order = (await direct.query('SELECT status, payment_method FROM orders WHERE id = $1', [paid.orderId]))
      .rows[0];
    expect(order.payment_method).toBe('wallet');
    expect(['paid', 'fulfilling', 'fulfilled']).toContain(order.status);
    const ledger = (
      await direct.query(`SELECT type, count(*)::int AS n FROM transactions WHERE bot_id = $1 GROUP BY type`, [bot.id])
    ).rows;
    expect(Object.fromEntries(ledger.map((r) => [r.type, r.n]))).toEqual({ deposit: 1, purchase: 1 });
  });
});
