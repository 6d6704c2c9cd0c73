import { ClsModule, ClsService } from 'nestjs-cls';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { seedEveryTenantTable, TestContext, TestDatabase } from '@botfleet/testing';
import { DB_ROLES } from './migration/roles';
import { TenantDb } from './tenant-context';
import { TenantRepositories } from './tenant-repositories';
import { TenantRepository } from './tenant-repository';
import { BotSelfRepository } from './repositories/bot-self.repository';

/** Every table that has a bot_id column, read from the catalogue (so new tables are included). */
async function tablesWithBotId(ds: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await ds.query(
    `SELECT table_name FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name = 'bot_id' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

type Grants = { app: string; platform: string };
const DML = 'DELETE,INSERT,SELECT,UPDATE';
const TENANT: Grants = { app: DML, platform: DML };
/** Tenant tables only the operator writes: the application role reads its rows and nothing more. */
const READ_ONLY_TENANT_TABLES = ['tenant_wallet_ledger', 'wholesale_prices', 'feature_allowances'];
const READ_ONLY: Grants = { app: 'SELECT', platform: DML };
const PLATFORM_ONLY: Grants = { app: '', platform: DML };

/**
 * What each table grants the application and the platform role (table-level privileges). Every table of
 * the schema must be listed: a new table without an entry fails the catalogue test.
 */
const EXPECTED_GRANTS: Record<string, Grants> = {
  bots: { app: 'SELECT', platform: DML }, // + UPDATE of BOT_SETTINGS_COLUMNS only (column privileges)
  invites: PLATFORM_ONLY,
  vpn_panels: PLATFORM_ONLY,
  admin_audit_log: PLATFORM_ONLY,
  typeorm_migrations: { app: '', platform: '' },
  tenant_wallet_ledger: READ_ONLY,
  wholesale_prices: READ_ONLY,
  feature_allowances: READ_ONLY,
  bot_feature_flags: TENANT,
  bot_configurations: TENANT,
  bot_admins: TENANT,
  tenant_payment_cards: TENANT,
  card_daily_usage: TENANT,
  card_rotation_state: TENANT,
  bot_plans: TENANT,
  promo_groups: TENANT,
  users: TENANT,
  subscriptions: TENANT,
  promocodes: TENANT,
  orders: TENANT,
  transactions: TENANT,
  card_to_card_payments: TENANT,
  gateway_payments: TENANT,
  promocode_uses: TENANT,
  referral_earnings: TENANT,
  tickets: TENANT,
  ticket_messages: TENANT,
  broadcasts: TENANT,
  broadcast_deliveries: TENANT,
  sent_notifications: TENANT,
  subscription_events: TENANT,
  processed_updates: TENANT,
  audit_logs: TENANT,
  job_outbox: TENANT,
  console_sessions: TENANT,
};

/** The settings a tenant edits on its bot row (BotSettingsService, the currency configuration). */
const BOT_SETTINGS_COLUMNS = [
  'name',
  'default_language',
  'currency',
  'support_username',
  'admin_chat_id',
  'admin_topic_id',
  'card_receipt_topic_id',
  'notification_group_id',
  'notification_topic_id',
  'updated_at',
];

/** The SECURITY DEFINER functions the application role may call, each enforcing one rule. */
const TENANT_FUNCTIONS = [
  'botfleet_wallet_hold',
  'botfleet_wallet_settle',
  'botfleet_wallet_reverse',
  'botfleet_bot_set_status',
  'botfleet_bot_delete',
  'botfleet_bot_set_api_token',
  'botfleet_bot_replace_telegram_token',
  // No arguments, reads and writes nothing of a tenant: refreshes the planner's statistics (BroadcastDeliveriesByKey).
  'botfleet_analyze_broadcast_deliveries',
];

/**
 * The operator's wallet writers: SECURITY INVOKER on the platform role (the owner does not bypass the forced
 * row-level security), executable by the platform role only, never by the application role or PUBLIC.
 */
const PLATFORM_ONLY_FUNCTIONS = ['botfleet_wallet_adjust', 'botfleet_wallet_top_up'];

/** Every table of the schema with the privileges each of the two roles holds on it, sorted and joined. */
async function tableGrants(ds: DataSource): Promise<Record<string, Grants>> {
  const rows: { table_name: string; app: string; platform: string }[] = await ds.query(
    `SELECT c.relname AS table_name,
            concat_ws(',', ${['DELETE', 'INSERT', 'SELECT', 'UPDATE']
              .map((p) => `CASE WHEN has_table_privilege($1, c.oid, '${p}') THEN '${p}' END`)
              .join(', ')}) AS app,
            concat_ws(',', ${['DELETE', 'INSERT', 'SELECT', 'UPDATE']
              .map((p) => `CASE WHEN has_table_privilege($2, c.oid, '${p}') THEN '${p}' END`)
              .join(', ')}) AS platform
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY c.relname`,
    [DB_ROLES.app, DB_ROLES.platform],
  );
  return Object.fromEntries(rows.map((r) => [r.table_name, { app: r.app, platform: r.platform }]));
}

describe('tenant isolation (real PostgreSQL, row-level security)', () => {
  let ctx: TestContext;
  let db: TestDatabase;
  let owner: DataSource;
  let app: DataSource;
  let platform: DataSource;
  let tenantDb: TenantDb;
  let repos: TenantRepositories;
  let botA: string;
  let botB: string;
  let tables: string[];

  beforeAll(async () => {
    ctx = await TestContext.create();
    db = ctx.env.db;
    owner = await db.owner();
    app = await db.app();
    platform = await db.platform();
    botA = (await ctx.newBot({ name: 'A' })).id;
    botB = (await ctx.newBot({ name: 'B' })).id;
    const seededA = await seedEveryTenantTable(platform, botA);
    await seedEveryTenantTable(platform, botB);
    tables = await tablesWithBotId(owner);
    // The seeder must cover every tenant table, or the checks below would silently skip one.
    expect([...seededA].sort()).toEqual(tables);
    const mod = await Test.createTestingModule({ imports: [ClsModule.forRoot({ global: true })] }).compile();
    tenantDb = new TenantDb(app, mod.get(ClsService));
    repos = new TenantRepositories(tenantDb);
  });

  afterAll(async () => {
    await ctx?.close();
  });

  it('in bot A context a raw SELECT * on every tenant table returns only A rows', async () => {
    for (const t of tables) {
      const rows: { bot_id: string }[] = await tenantDb.run(botA, (tx) => tx.manager.query(`SELECT * FROM "${t}"`));
      expect({ t, n: rows.length > 0 }).toEqual({ t, n: true });
      expect({ t, foreign: rows.filter((r) => r.bot_id !== botA).length }).toEqual({ t, foreign: 0 });
    }
  });

  it('every repository returns only A rows in A context, and none of B even when asked for B ids', async () => {
    const entries = Object.entries(repos).filter(([, r]) => r instanceof TenantRepository) as [
      string,
      TenantRepository<{ botId: string }>,
    ][];
    expect(entries.length).toBeGreaterThanOrEqual(tables.length - 1);
    for (const [name, repo] of entries) {
      const rows = await repo.find(botA);
      expect({ name, n: rows.length > 0 }).toEqual({ name, n: true });
      expect({ name, foreign: rows.filter((r) => r.botId !== botA).length }).toEqual({ name, foreign: 0 });
    }
    const userB = (await platform.query(`SELECT id FROM users WHERE bot_id = $1`, [botB]))[0].id;
    // Asking for B's user by id in A's transaction finds nothing: the code adds bot_id, RLS hides it anyway.
    await tenantDb.run(botA, async () => {
      expect(await repos.users.findById(botA, userB)).toBeNull();
      const raw = await tenantDb.current()!.manager.query(`SELECT * FROM users WHERE id = $1`, [userB]);
      expect(raw).toHaveLength(0);
    });
  });

  it('atomic() inside a transaction undoes only its own writes when it throws', async () => {
    const name = await tenantDb.run(botA, async (tx) => {
      await tx.manager.query(`UPDATE bots SET name = 'outer' WHERE id = $1`, [botA]);
      await expect(
        tenantDb.atomic(botA, async (inner) => {
          await inner.manager.query(`UPDATE bots SET name = 'inner' WHERE id = $1`, [botA]);
          throw new Error('handled by the caller');
        }),
      ).rejects.toThrow('handled by the caller');
      return (await tx.manager.query(`SELECT name FROM bots WHERE id = $1`, [botA]))[0].name;
    });
    expect(name).toBe('outer');
    await platform.query(`UPDATE bots SET name = 'A' WHERE id = $1`, [botA]);
  });

  it('after-commit hooks registered inside atomic() share its fate: dropped when it throws, kept when it succeeds', async () => {
    const seen: string[] = [];
    await tenantDb.run(botA, async () => {
      await expect(
        tenantDb.atomic(botA, async () => {
          await tenantDb.afterCommit(botA, async () => void seen.push('undone change'));
          throw new Error('handled by the caller');
        }),
      ).rejects.toThrow('handled by the caller');
      await tenantDb.atomic(botA, async () => {
        await tenantDb.atomic(botA, async () => {
          await tenantDb.afterCommit(botA, async () => void seen.push('kept change'));
        });
      });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['kept change']);
  });

  it('after-commit hooks run once the outermost transaction commits, and never after a rollback', async () => {
    const seen: string[] = [];
    await tenantDb.run(botA, async () => {
      await tenantDb.run(botA, async () => {
        await tenantDb.afterCommit(botA, async () => {
          // A fresh transaction sees the committed change: the hook really runs after the commit.
          const rows = await platform.query(`SELECT name FROM bots WHERE id = $1`, [botA]);
          seen.push(`committed:${rows[0].name}`);
        });
      });
      await tenantDb.current()!.manager.query(`UPDATE bots SET name = 'hooked' WHERE id = $1`, [botA]);
      seen.push('inside');
    });
    await expect(
      tenantDb.run(botA, async () => {
        await tenantDb.afterCommit(botA, async () => void seen.push('rolled back?'));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(seen).toEqual(['inside', 'committed:hooked']);
    await platform.query(`UPDATE bots SET name = 'A' WHERE id = $1`, [botA]);
  });

  it("a repository call for another bot inside A's transaction is refused", async () => {
    await expect(tenantDb.run(botA, () => repos.plans.find(botB))).rejects.toThrow('another bot');
  });

  it('the bots table shows a tenant only its own row', async () => {
    const self = new BotSelfRepository(tenantDb);
    expect((await self.get(botA))?.id).toBe(botA);
    const seen = await tenantDb.run(botA, (tx) => tx.manager.query(`SELECT id FROM bots`));
    expect(seen).toEqual([{ id: botA }]);
    const changed = await tenantDb.run(botA, (tx) =>
      tx.manager.query(`UPDATE bots SET name = 'hijacked' WHERE id = $1`, [botB]),
    );
    expect(changed[1]).toBe(0);
    expect((await platform.query(`SELECT name FROM bots WHERE id = $1`, [botB]))[0].name).toBe('B');
  });

  it("inserting or updating a row to B's bot_id in A context fails on every tenant table", async () => {
    for (const t of tables) {
      // The operator's tables are read-only to the application role: refused before row-level security.
      const refused = READ_ONLY_TENANT_TABLES.includes(t) ? /permission denied/ : /row-level security/;
      await expect(
        tenantDb.run(botA, (tx) =>
          tx.manager.query(
            `INSERT INTO "${t}" SELECT (jsonb_populate_record(NULL::"${t}", to_jsonb(x) || jsonb_build_object('bot_id', $1::text))).* FROM "${t}" x LIMIT 1`,
            [botB],
          ),
        ),
      ).rejects.toThrow(refused);
      await expect(
        tenantDb.run(botA, (tx) => tx.manager.query(`UPDATE "${t}" SET bot_id = $1`, [botB])),
      ).rejects.toThrow(refused);
    }
    const counts = await platform.query(`SELECT count(*)::int AS n FROM users WHERE bot_id = $1`, [botB]);
    expect(counts[0].n).toBe(1);
  });

  it('with no bot set every tenant table returns zero rows, also on a connection a tenant used before', async () => {
    const single = await (await import('./data-source')).createDataSource({ url: db.appUrl, poolSize: 1 }).initialize();
    try {
      const t2 = new TenantDb(single, tenantDb['cls'] as ClsService);
      await t2.run(botA, (tx) => tx.manager.query('SELECT 1'));
      for (const t of tables) {
        const rows = await single.query(`SELECT * FROM "${t}"`);
        expect({ t, n: rows.length }).toEqual({ t, n: 0 });
      }
      expect(await single.query(`SELECT * FROM bots`)).toHaveLength(0);
    } finally {
      await single.destroy();
    }
  });

  it('catalogue: RLS enabled and forced with a policy on app.bot_id on every table with bot_id', async () => {
    const rows: { relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; quals: string | null }[] =
      await owner.query(
        `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                (SELECT string_agg(coalesce(p.qual,'') || ' ' || coalesce(p.with_check,''), ' ')
                   FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname) AS quals
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY($1)`,
        [tables],
      );
    expect(rows).toHaveLength(tables.length);
    for (const r of rows) {
      expect({ t: r.relname, rls: r.relrowsecurity, forced: r.relforcerowsecurity }).toEqual({
        t: r.relname,
        rls: true,
        forced: true,
      });
      expect({
        t: r.relname,
        policyOnBotId: /app\.bot_id/.test(r.quals ?? '') && /bot_id/.test(r.quals ?? ''),
      }).toEqual({
        t: r.relname,
        policyOnBotId: true,
      });
    }
  });

  it('catalogue: the app role owns nothing and cannot bypass RLS; the platform role can', async () => {
    const owned = await owner.query(
      `SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND r.rolname = $1`,
      [DB_ROLES.app],
    );
    expect(owned).toEqual([]);
    const roles: { rolname: string; rolbypassrls: boolean; rolsuper: boolean }[] = await owner.query(
      `SELECT rolname, rolbypassrls, rolsuper FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [[DB_ROLES.app, DB_ROLES.platform, DB_ROLES.owner]],
    );
    const byName = Object.fromEntries(roles.map((r) => [r.rolname, r]));
    expect(byName[DB_ROLES.app]).toMatchObject({ rolbypassrls: false, rolsuper: false });
    expect(byName[DB_ROLES.owner]).toMatchObject({ rolbypassrls: false, rolsuper: false });
    expect(byName[DB_ROLES.platform]).toMatchObject({ rolbypassrls: true, rolsuper: false });
    // The app role has no access at all to the platform-only tables.
    for (const t of ['invites', 'vpn_panels', 'admin_audit_log']) {
      await expect(app.query(`SELECT 1 FROM "${t}" LIMIT 1`)).rejects.toThrow(/permission denied/);
    }
  });

  it('catalogue: every table grants the application and platform roles exactly what the list says', async () => {
    const granted = await tableGrants(owner);
    // A table missing from EXPECTED_GRANTS fails here: decide what the application role may do with it.
    expect(Object.keys(granted).sort()).toEqual(Object.keys(EXPECTED_GRANTS).sort());
    for (const [t, want] of Object.entries(EXPECTED_GRANTS)) {
      expect({ t, ...granted[t] }).toEqual({ t, ...want });
    }
    // On bots the application role updates the settings columns only; none of money, status or identity.
    const cols: { column_name: string }[] = await owner.query(
      `SELECT column_name FROM information_schema.column_privileges
        WHERE table_schema = 'public' AND table_name = 'bots' AND grantee = $1 AND privilege_type = 'UPDATE'
        ORDER BY column_name`,
      [DB_ROLES.app],
    );
    expect(cols.map((c) => c.column_name)).toEqual([...BOT_SETTINGS_COLUMNS].sort());
    // The narrow functions: the SECURITY DEFINER functions the application role may execute are exactly these
    // (an owner-run function the list does not name fails here), each with its search_path pinned.
    const fns: { proname: string; definer: boolean; config: string[] | null }[] = await owner.query(
      `SELECT p.proname, p.prosecdef AS definer, p.proconfig AS config FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prosecdef AND has_function_privilege($1, p.oid, 'EXECUTE')
        ORDER BY p.proname`,
      [DB_ROLES.app],
    );
    expect(fns.map((f) => f.proname)).toEqual([...TENANT_FUNCTIONS].sort());
    for (const f of fns) {
      expect({
        f: f.proname,
        definer: f.definer,
        path: (f.config ?? []).some((c) => c.startsWith('search_path=')),
      }).toEqual({ f: f.proname, definer: true, path: true });
    }
  });

  it('catalogue: the functions only the platform role may execute are exactly the operator wallet writers', async () => {
    const fns: { proname: string; definer: boolean; config: string[] | null }[] = await owner.query(
      `SELECT p.proname, p.prosecdef AS definer, p.proconfig AS config FROM pg_proc p
         JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND has_function_privilege($1, p.oid, 'EXECUTE')
          AND NOT has_function_privilege($2, p.oid, 'EXECUTE')
        ORDER BY p.proname`,
      [DB_ROLES.platform, DB_ROLES.app],
    );
    expect(fns.map((f) => f.proname)).toEqual([...PLATFORM_ONLY_FUNCTIONS].sort());
    for (const f of fns) {
      expect({
        f: f.proname,
        definer: f.definer,
        path: (f.config ?? []).some((c) => c.startsWith('search_path=')),
      }).toEqual({ f: f.proname, definer: false, path: true });
    }
  });

  it('a table added without its grants listed makes the grants check fail', async () => {
    await owner.query(`CREATE TABLE grants_probe (id int)`);
    try {
      expect(Object.keys(await tableGrants(owner))).toContain('grants_probe');
      expect(Object.keys(EXPECTED_GRANTS)).not.toContain('grants_probe');
    } finally {
      await owner.query(`DROP TABLE grants_probe`);
    }
  });

  it('a table added without RLS makes the catalogue check fail', async () => {
    await owner.query(`CREATE TABLE rls_probe (bot_id uuid NOT NULL REFERENCES bots(id))`);
    try {
      const rows = await owner.query(
        `SELECT c.relrowsecurity, c.relforcerowsecurity FROM pg_class c WHERE c.relname = 'rls_probe'`,
      );
      expect(rows[0]).toEqual({ relrowsecurity: false, relforcerowsecurity: false });
      expect(await tablesWithBotId(owner)).toContain('rls_probe');
    } finally {
      await owner.query(`DROP TABLE rls_probe`);
    }
  });

  it('a child row of bot A cannot reference a parent row of bot B (composite keys)', async () => {
    const userB = (await platform.query(`SELECT id FROM users WHERE bot_id = $1`, [botB]))[0].id;
    const planB = (await platform.query(`SELECT id FROM bot_plans WHERE bot_id = $1`, [botB]))[0].id;
    const userA = (await platform.query(`SELECT id FROM users WHERE bot_id = $1`, [botA]))[0].id;
    await expect(
      platform.query(`INSERT INTO subscriptions (bot_id, user_id) VALUES ($1, $2)`, [botA, userB]),
    ).rejects.toThrow(/foreign key/);
    await expect(
      platform.query(
        `INSERT INTO orders (bot_id, user_id, plan_id, amount_minor, currency, period_days, idempotency_key) VALUES ($1,$2,$3,1,'IRR',30,'x')`,
        [botA, userA, planB],
      ),
    ).rejects.toThrow(/foreign key/);
  });
});
